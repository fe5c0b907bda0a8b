#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "experiments/assignment/assignment_experiment.h"
#include "perfmodel/scenario.h"

namespace airtp {

using nlohmann::json;

namespace {

std::string method_label(AssignMethod m) {
  switch (m) {
    case AssignMethod::Ssca: return "SSCA (paper)";
    case AssignMethod::Uniform: return "uniform";
    case AssignMethod::ComputeProportional: return "compute-proportional";
    case AssignMethod::MemoryProportional: return "memory-proportional";
  }
  return "?";
}

ExperimentOutput make_output(const AssignmentExperimentParams& p, const AssignmentExperimentResult& res) {
  const std::string name = "assignment";
  const Scenario s = resolve_scenario(p.scenario);
  const int N = s.n_devices();
  const AssignmentProblem problem = assignment_problem(s);
  ExperimentOutput out;

  const AssignmentOutcome* uniform = nullptr;
  for (const auto& o : res.outcomes)
    if (o.method == AssignMethod::Uniform) uniform = &o;

  std::vector<std::string> cols{"method", "label"};
  for (int n = 0; n < N; ++n) cols.push_back(fmt::format("share_{}", n));
  for (const char* c : {"expected_mse", "mse_std_error", "mse_db", "gain_vs_uniform_db", "sdr_value",
                        "compute_ms", "aircomp_comm_ms", "aircomp_total_ms", "digital_comm_ms", "digital_total_ms"})
    cols.push_back(c);
  Table t(cols);
  const PricedLink digital = s.priced_link("digital");
  const PricedLink air = s.priced_link("aircomp");
  json methods = json::object();
  for (const auto& o : res.outcomes) {
    std::vector<Table::Cell> row{to_string(o.method), method_label(o.method)};
    for (double m : o.shares) row.push_back(m);
    const double gain = uniform ? to_db(uniform->mse.mean) - to_db(o.mse.mean) : std::nan("");
    const TokenLatency la = decode_latency(s.model, s.devices, o.shares, air);
    const TokenLatency ld = decode_latency(s.model, s.devices, o.shares, digital);
    row.insert(row.end(), {o.mse.mean, o.mse.std_error, to_db(o.mse.mean), gain, o.mse.mean_sdr_bound,
                           1e3 * la.compute_s, 1e3 * la.comm_s, 1e3 * la.total_s(), 1e3 * ld.comm_s,
                           1e3 * ld.total_s()});
    t.add_row(std::move(row));
    // Paired comparison against uniform on the common evaluation channels.
    json jm = {{"shares", o.shares},
               {"expected_mse", o.mse.mean},
               {"expected_mse_std_error", o.mse.std_error},
               {"mse_db", to_db(o.mse.mean)},
               {"gain_vs_uniform_db", json_number(gain)},
               {"tx_power_w", problem.tx_power(o.shares)},
               {"aircomp_total_ms", 1e3 * la.total_s()},
               {"digital_total_ms", 1e3 * ld.total_s()}};
    if (uniform && uniform->mse.per_sample.size() == o.mse.per_sample.size()) {
      int better = 0;
      for (size_t i = 0; i < o.mse.per_sample.size(); ++i) better += o.mse.per_sample[i] <= uniform->mse.per_sample[i];
      jm["realizations_at_least_as_good_as_uniform"] =
          static_cast<double>(better) / static_cast<double>(o.mse.per_sample.size());
    }
    if (o.ssca)
      jm["ssca"] = {{"iterations", o.ssca->iterations}, {"converged", o.ssca->converged},
                    {"final_running_mse", o.ssca->running_mse}, {"seconds", o.ssca->seconds}};
    methods[to_string(o.method)] = jm;
  }
  out.tables.emplace_back(name, t);
  json devices = json::array();
  for (int n = 0; n < N; ++n) {
    const auto& d = s.devices[static_cast<size_t>(n)];
    devices.push_back({{"name", d.name}, {"distance_m", d.distance_m}, {"mem_bandwidth_gbs", d.mem_bandwidth_bytes_per_s / 1e9},
                       {"memory_gb", d.memory_bytes / 1e9}, {"energy_per_param_j", d.energy_per_param_j},
                       {"energy_budget_j", d.energy_budget_j}, {"share_upper_bound", problem.upper_bounds()[static_cast<size_t>(n)]}});
  }
  out.results = {{"scenario", s.name}, {"model", s.model.name}, {"devices", devices}, {"methods", methods},
                 {"eval_samples", p.options.eval_samples}};

  const AssignmentOutcome* ssca = nullptr;
  for (const auto& o : res.outcomes)
    if (o.ssca) ssca = &o;
  if (ssca) {
    std::vector<std::string> tc{"iteration", "sample_mse", "running_mse", "sample_mse_db", "running_mse_db"};
    for (int n = 0; n < N; ++n) tc.push_back(fmt::format("m_{}", n));
    Table tr(tc);
    for (const auto& it : ssca->ssca->trace) {
      std::vector<Table::Cell> row{static_cast<double>(it.iteration), it.sample_mse, it.running_mse,
                                   to_db(it.sample_mse), to_db(it.running_mse)};
      for (double m : it.m) row.push_back(m);
      tr.add_row(std::move(row));
    }
    out.tables.emplace_back(name + "-trace", tr);
    // T9: m settles (SSCA's own stopping rule: change < tolerance over `window` iterations).
    out.results["ssca"] = {{"converged", ssca->ssca->converged}, {"iterations", ssca->ssca->iterations},
                           {"window", p.options.ssca.window}, {"tolerance", p.options.ssca.tolerance}};
  }

  out.notes = {
      "Scenario " + s.name + ": " + std::to_string(N) + " devices; the paper's energy coupling (paper.md 1.5): per "
      "layer step, compute energy e_n m_n s_tot and transmit energy share the budget P_n^max, so a larger share "
      "leaves less transmit power (energy budgets 'auto': uniform shares leave exactly the 20 dBm tx power).",
      fmt::format("Expected MSE: SDR design per channel realization, {} evaluation realizations disjoint from the "
                  "SSCA's training draws and common to every method (paired comparison).",
                  p.options.eval_samples),
      fmt::format("SSCA: rho = (t+1)^-{:g}, gamma = (t+1)^-{:g}, {} gradient, at most {} iterations, stop when m moves "
                  "< {:g} over {} iterations (opt/ssca.h).",
                  p.options.ssca.rho_exponent, p.options.ssca.gamma_exponent, to_string(p.options.ssca.gradient),
                  p.options.ssca.max_iterations, p.options.ssca.tolerance, p.options.ssca.window),
      "Latency: perfmodel/latency.h with the scenario's device profiles; baselines compute/memory are proportional to "
      "memory bandwidth (decode is memory-bound) / memory size."};

  GnuplotFigure f;
  f.name = name;
  f.width = 1200;
  f.height = 900;
  std::string body = fmt::format(
      "set multiplot layout 2,2 title 'Model assignment on {} ({}, {} devices)'\n"
      "set style fill solid 0.7 border -1\nset boxwidth 0.6\nset xtics rotate by -20 font ',9'\n"
      "set title 'expected AirComp MSE (SDR design), +/- std. error'\nset ylabel 'MSE per channel use'\n"
      "set yrange [0:*]\nset xrange [-0.6:{}]\nunset key\n"
      "plot '{}.csv' using 0:'expected_mse':'mse_std_error':xtic(2) with boxerrorbars lc rgb '#4477aa'\n"
      "set title 'per-token decode latency'\nset ylabel 'ms per token'\nset key top left font ',9'\n"
      "set style histogram rowstacked\nset style data histograms\n"
      "plot '{}.csv' using 'compute_ms':xtic(2) title 'compute' lc rgb '#999999', '' using 'aircomp_comm_ms' title "
      "'AirComp all-reduces' lc rgb '#4477aa'\n",
      s.name, s.model.name, N, res.outcomes.size() - 0.4, name, name);
  if (ssca) {
    body += fmt::format(
        "set style data linespoints\nset xtics norotate font ',10'\nset yrange [*:*]\nset xrange [*:*]\nset xlabel 'SSCA iteration'\n"
        "set title 'SSCA convergence'\nset ylabel 'MSE (dB)'\nset key top right\n"
        "plot '{0}-trace.csv' using 'iteration':'sample_mse_db' with points pt 7 ps 0.3 lc rgb '#bbbbbb' title "
        "'sample MSE f^t', '' using 'iteration':'running_mse_db' with lines lw 2 lc rgb '#aa3377' title "
        "'running average', {1} with lines dt 2 lc rgb '#000000' title 'uniform (evaluation)'\n"
        "set title 'shares m_n'\nset ylabel 'share of every layer'\nset yrange [0:*]\n"
        "plot ",
        name, uniform ? fmt::format("{}", to_db(uniform->mse.mean)) : std::string("NaN"));
    for (int n = 0; n < N; ++n)
      body += fmt::format("{}'{}-trace.csv' using 'iteration':'m_{}' with lines lw 2 {} title '{}'", n ? ", " : "", name,
                          n, series_color(n), s.devices[static_cast<size_t>(n)].name);
    body += "\n";
  }
  f.body = body + "unset multiplot";
  out.figures.push_back(f);
  return out;
}

ExperimentOutput run_assignment(const json& params, const ExperimentProgress& progress) {
  ParamReader r(params, "assignment");
  AssignmentExperimentParams p;
  p.scenario = r.string("scenario");
  p.methods.clear();
  for (const auto& m : r.strings("methods", {"ssca", "uniform", "compute", "memory"}))
    p.methods.push_back(parse_assign_method(m));
  p.options.eval_samples = r.integer("eval_samples", 1, 100000);
  p.options.ssca.max_iterations = r.integer("iterations", 1, 100000);
  p.options.ssca.min_iterations = std::min(r.integer("min_iterations", 0, 100000), p.options.ssca.max_iterations);
  p.options.ssca.gradient = parse_gradient_method(r.string("gradient", {"dual", "fixed"}));
  p.options.ssca.solver.method = parse_transceiver_method(r.string("design", {"sdr", "mmse", "mf"}));
  p.options.ssca.solver.options.n_randomizations = r.integer("randomizations", 0, 100000);
  if (p.options.ssca.gradient == GradientMethod::SdrDual && p.options.ssca.solver.method != TransceiverMethod::Sdr)
    throw std::invalid_argument("experiment assignment: gradient 'dual' needs design 'sdr' (or use gradient 'fixed')");
  return make_output(p, run_assignment_experiment(p, progress));
}

}  // namespace

ExperimentSpec assignment_experiment() {
  ExperimentSpec s;
  s.name = "assignment";
  s.summary = "Model assignment: SSCA vs uniform / compute- / memory-proportional (MSE, latency, convergence)";
  s.defaults = {{"scenario", "paper-heterogeneous"},
                {"methods", {"ssca", "uniform", "compute", "memory"}},
                {"iterations", 300},
                {"min_iterations", 100},
                {"eval_samples", 100},
                {"gradient", "dual"},
                {"design", "sdr"},
                {"randomizations", 100}};
  s.smoke = {{"iterations", 30}, {"min_iterations", 30}, {"eval_samples", 8}, {"randomizations", 5}};
  s.run = run_assignment;
  return s;
}

}  // namespace airtp
