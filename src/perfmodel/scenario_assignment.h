// `airtp assign`: the model-assignment problem of a Scenario, the optimizer (stochastic SCA) and
// baselines, and the assignment JSON that tensor-parallel sharding reads (--shares-from reads
// its "shares" array; tp/plan.h read_shares_file).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "opt/assignment.h"
#include "opt/ssca.h"
#include "perfmodel/latency.h"
#include "perfmodel/scenario.h"

namespace airtp {

// Energy coupling and memory limits of the scenario: e_n, P_n^max, s_tot = layer parameters,
// T_tx = Scenario::tx_seconds_per_layer(), max_share_n = the share whose weights fill memory_n.
AssignmentProblem assignment_problem(const Scenario& s);
// m_n <= (memory_n - embedding bytes) / (bytes of the split weights), clipped to [0, 1].
std::vector<double> memory_share_limits(const Scenario& s);

enum class AssignMethod { Ssca, Uniform, ComputeProportional, MemoryProportional };
// "ssca" | "uniform" | "compute" | "memory"; throws InputError listing them.
AssignMethod parse_assign_method(const std::string& name);
std::string to_string(AssignMethod m);

// Baselines, always feasible (projected if a bound cuts them): uniform; proportional to the
// decode speed (memory bandwidth: decode is memory-bound); proportional to memory_bytes.
std::vector<double> baseline_shares(const Scenario& s, AssignMethod method);

// Channel realizations of the scenario: blocks first_block, first_block + 1, ...
std::vector<ChannelRealization> channel_samples(const Scenario& s, int count, uint64_t first_block);
ChannelSampler scenario_sampler(const Scenario& s, uint64_t first_block);
// The short-timescale solver matching the scenario (L = wireless.n_streams).
ShortTermSolver scenario_solver(const Scenario& s, int n_randomizations = 100);

struct AssignOptions {
  AssignMethod method = AssignMethod::Ssca;
  SscaOptions ssca;            // its solver.n_streams is overwritten from the scenario
  int eval_samples = 100;      // realizations for the reported expected MSE (common to methods)
  uint64_t train_first_block = 0;         // SSCA draws blocks from here
  uint64_t eval_first_block = 1000000;    // evaluation blocks: disjoint from training
  std::string latency_scheme = "aircomp";  // scheme registry name
};

struct AssignmentOutcome {
  AssignMethod method = AssignMethod::Ssca;
  std::vector<double> shares;
  MseEstimate mse;             // expected MSE on the evaluation blocks
  TokenLatency latency;        // decode latency per token with these shares
  std::string latency_scheme = "aircomp";
  std::optional<SscaResult> ssca;
};

AssignmentOutcome assign_model(const Scenario& s, const AssignOptions& options = {});
// Shares + expected MSE + latency of a given share vector (e.g. a baseline), on the same
// evaluation blocks.
AssignmentOutcome evaluate_assignment(const Scenario& s, const std::vector<double>& shares,
                                      const AssignOptions& options, AssignMethod method);

// {"shares": [...], "method", "scenario", "model", "devices": [names], "expected_mse",
//  "expected_mse_std_error", "sdr_bound", "share_upper_bounds", "tx_power_w",
//  "latency": {"scheme", "compute_ms", "comm_ms", "total_ms", "per_allreduce_us"},
//  "ssca": {"iterations", "converged", "eta", "seconds", "trace": [{"iteration",
//  "sample_mse", "running_mse", "m"}]}}. "shares" is the only field a reader must use.
nlohmann::json assignment_to_json(const Scenario& s, const AssignmentOutcome& a,
                                  bool include_trace = true);
void write_assignment_json(const std::string& path, const nlohmann::json& j);

}  // namespace airtp
