// Experiment assignment: the long-timescale model assignment of the paper-heterogeneous scenario
// (4 devices, compute x1..x4, energy coefficients x4..x1, 12-95 m): stochastic SCA against the
// uniform, compute-proportional and memory-proportional baselines. Reports each assignment's
// expected AirComp MSE (SDR design per realization, on evaluation channels disjoint from the
// training ones and common to every method), per-token latency, and the SSCA convergence trace.
#pragma once
#include <string>
#include <vector>

#include "perfmodel/scenario_assignment.h"
#include "experiments/experiment.h"

namespace airtp {

struct AssignmentExperimentParams {
  std::string scenario = "paper-heterogeneous";  // preset name or scenario JSON file
  std::vector<AssignMethod> methods{AssignMethod::Ssca, AssignMethod::Uniform, AssignMethod::ComputeProportional,
                                    AssignMethod::MemoryProportional};
  AssignOptions options;  // ssca iterations, gradient, solver, eval_samples
};

struct AssignmentExperimentResult {
  std::vector<AssignmentOutcome> outcomes;  // in the order of params.methods
};

AssignmentExperimentResult run_assignment_experiment(const AssignmentExperimentParams& p,
                                                     const ExperimentProgress& progress = {});

ExperimentSpec assignment_experiment();

}  // namespace airtp
