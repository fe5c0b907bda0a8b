// A small model-assignment problem for the SSCA tests (here and in tests/sim).
#pragma once
#include "opt/assignment.h"

namespace airtp::test {

// 3 devices with e_n = 3, 2, 1 x 1e-13 J per parameter: with channels that weaken from device 0
// to device 2 (test_ssca.cpp puts them at 20 / 50 / 80 m), channel quality and energy pull in
// opposite directions and the optimum is interior.
inline AssignmentProblem three_device_problem() {
  AssignmentProblem p;
  p.layer_params = 1e8;
  p.tx_seconds = 1e-4;
  p.energy_per_param = {3e-13, 2e-13, 1e-13};
  for (double e : p.energy_per_param) p.energy_budget.push_back(e * 1e8 / 3 + 0.1 * 1e-4);
  return p;
}

}  // namespace airtp::test
