// The one list of experiments (a table, not self-registration: the library is a static archive,
// and an object file that nothing references would be dropped with its registration).
#include "experiments/assignment/assignment_experiment.h"
#include "experiments/experiment.h"
#include "experiments/latency_devices/latency_devices.h"
#include "experiments/mse/mse_experiments.h"
#include "experiments/ppl_snr/ppl_snr.h"

namespace airtp {

const std::vector<ExperimentSpec>& experiment_specs() {
  static const std::vector<ExperimentSpec> specs = {
      mse_power_experiment(), mse_antennas_experiment(), mse_devices_experiment(),
      latency_devices_experiment(), ppl_snr_experiment(), assignment_experiment(),
  };
  return specs;
}

}  // namespace airtp
