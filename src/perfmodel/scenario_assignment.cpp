#include "perfmodel/scenario_assignment.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/input_error.h"

namespace airtp {

std::vector<double> memory_share_limits(const Scenario& s) {
  const double fixed = s.model.weight_bytes(0);
  const double split = s.model.total_weight_bytes() - fixed;
  std::vector<double> hi;
  for (const auto& d : s.devices) hi.push_back(std::clamp((d.memory_bytes - fixed) / split, 0.0, 1.0));
  return hi;
}

AssignmentProblem assignment_problem(const Scenario& s) {
  AssignmentProblem p;
  for (const auto& d : s.devices) {
    p.energy_per_param.push_back(d.energy_per_param_j);
    p.energy_budget.push_back(d.energy_budget_j);
  }
  p.layer_params = static_cast<double>(s.model.layer_params());
  p.tx_seconds = s.tx_seconds_per_layer();
  p.max_share = memory_share_limits(s);
  try {
    p.validate();
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("scenario {}: {}", s.name, e.what()));
  }
  return p;
}

AssignMethod parse_assign_method(const std::string& name) {
  if (name == "ssca") return AssignMethod::Ssca;
  if (name == "uniform") return AssignMethod::Uniform;
  if (name == "compute") return AssignMethod::ComputeProportional;
  if (name == "memory") return AssignMethod::MemoryProportional;
  throw InputError(fmt::format(
      "assignment method '{}' unknown (allowed: ssca, uniform, compute, memory)", name));
}

std::string to_string(AssignMethod m) {
  switch (m) {
    case AssignMethod::Ssca: return "ssca";
    case AssignMethod::Uniform: return "uniform";
    case AssignMethod::ComputeProportional: return "compute";
    case AssignMethod::MemoryProportional: return "memory";
  }
  return "?";
}

std::vector<double> baseline_shares(const Scenario& s, AssignMethod method) {
  const AssignmentProblem p = assignment_problem(s);
  std::vector<double> w;
  switch (method) {
    case AssignMethod::Uniform:
      return uniform_shares(p);
    case AssignMethod::ComputeProportional:
      for (const auto& d : s.devices) w.push_back(d.mem_bandwidth_bytes_per_s);
      return proportional_shares(p, w);
    case AssignMethod::MemoryProportional:
      for (const auto& d : s.devices) w.push_back(d.memory_bytes);
      return proportional_shares(p, w);
    case AssignMethod::Ssca:
      break;
  }
  throw InputError("baseline_shares: 'ssca' is not a baseline (use assign_model)");
}

std::vector<ChannelRealization> channel_samples(const Scenario& s, int count, uint64_t first_block) {
  if (count < 1) throw InputError(fmt::format("channel samples: count = {} must be >= 1", count));
  const ChannelModel model(s.wireless_config());
  std::vector<ChannelRealization> out;
  for (int i = 0; i < count; ++i) out.push_back(model.realization(first_block + i));
  return out;
}

ChannelSampler scenario_sampler(const Scenario& s, uint64_t first_block) {
  auto model = std::make_shared<const ChannelModel>(s.wireless_config());
  return [model, first_block](int t) { return model->realization(first_block + t); };
}

ShortTermSolver scenario_solver(const Scenario& s, int n_randomizations) {
  ShortTermSolver solver;
  solver.n_streams = s.radio().n_streams;
  solver.options.n_randomizations = n_randomizations;
  return solver;
}

AssignmentOutcome evaluate_assignment(const Scenario& s, const std::vector<double>& shares,
                                      const AssignOptions& options, AssignMethod method) {
  const AssignmentProblem p = assignment_problem(s);
  const std::string v = p.violation(shares, 1e-9);
  if (!v.empty())
    throw InputError(fmt::format("scenario {}: infeasible assignment: {}", s.name, v));
  AssignmentOutcome out;
  out.method = method;
  out.shares = shares;
  ShortTermSolver solver = options.ssca.solver;
  solver.n_streams = s.radio().n_streams;
  const auto eval = channel_samples(s, options.eval_samples, options.eval_first_block);
  out.mse = expected_mse(p, shares, eval, solver);
  out.latency_scheme = options.latency_scheme;
  out.latency = decode_latency(s.model, s.devices, shares, s.priced_link(options.latency_scheme));
  return out;
}

AssignmentOutcome assign_model(const Scenario& s, const AssignOptions& options) {
  if (options.method != AssignMethod::Ssca)
    return evaluate_assignment(s, baseline_shares(s, options.method), options, options.method);
  const AssignmentProblem p = assignment_problem(s);
  SscaOptions so = options.ssca;
  so.solver.n_streams = s.radio().n_streams;
  SscaResult r = run_ssca(p, scenario_sampler(s, options.train_first_block), so);
  AssignmentOutcome out = evaluate_assignment(s, r.shares, options, AssignMethod::Ssca);
  out.ssca = std::move(r);
  return out;
}

nlohmann::json assignment_to_json(const Scenario& s, const AssignmentOutcome& a, bool include_trace) {
  using nlohmann::json;
  const AssignmentProblem p = assignment_problem(s);
  json names = json::array();
  for (const auto& d : s.devices) names.push_back(d.name);
  json j = {{"shares", a.shares},
            {"method", to_string(a.method)},
            {"scenario", s.name},
            {"model", s.model.name},
            {"devices", names},
            {"expected_mse", a.mse.mean},
            {"expected_mse_std_error", a.mse.std_error},
            {"eval_samples", a.mse.per_sample.size()},
            {"share_upper_bounds", p.upper_bounds()},
            {"tx_power_w", p.tx_power(a.shares)}};
  if (std::isfinite(a.mse.mean_sdr_bound)) j["sdr_bound"] = a.mse.mean_sdr_bound;
  j["latency"] = {{"scheme", a.latency_scheme},
                  {"compute_ms", a.latency.compute_s * 1e3},
                  {"comm_ms", a.latency.comm_s * 1e3},
                  {"total_ms", a.latency.total_s() * 1e3},
                  {"allreduces_per_token", a.latency.allreduces},
                  {"per_allreduce_us", a.latency.per_allreduce.total_s() * 1e6}};
  if (a.ssca) {
    const auto& r = *a.ssca;
    json js = {{"iterations", r.iterations}, {"converged", r.converged}, {"eta", r.eta},
               {"seconds", r.seconds}, {"running_mse", r.running_mse}};
    if (include_trace) {
      json tr = json::array();
      for (const auto& it : r.trace)
        tr.push_back({{"iteration", it.iteration}, {"sample_mse", it.sample_mse},
                      {"running_mse", it.running_mse}, {"m", it.m}});
      js["trace"] = tr;
    }
    j["ssca"] = js;
  }
  return j;
}

void write_assignment_json(const std::string& path, const nlohmann::json& j) {
  write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace airtp
