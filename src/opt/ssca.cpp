#include "opt/ssca.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace airtp {

namespace {
[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("ssca: " + what); }

void check(const SscaOptions& o) {
  if (o.max_iterations < 1) bad(fmt::format("max_iterations = {} must be >= 1", o.max_iterations));
  if (o.min_iterations < 0) bad(fmt::format("min_iterations = {} must be >= 0", o.min_iterations));
  if (o.window < 1) bad(fmt::format("window = {} must be >= 1", o.window));
  if (!(o.tolerance > 0)) bad(fmt::format("tolerance = {} must be > 0", o.tolerance));
  // Step-size conditions: rho, gamma -> 0, sum = inf, sum of squares < inf, gamma / rho -> 0.
  if (!(o.rho_exponent > 0.5 && o.rho_exponent < 1))
    bad(fmt::format("rho_exponent = {} must be in (0.5, 1)", o.rho_exponent));
  if (!(o.gamma_exponent > o.rho_exponent && o.gamma_exponent <= 1))
    bad(fmt::format("gamma_exponent = {} must be in (rho_exponent = {}, 1]", o.gamma_exponent,
                    o.rho_exponent));
  if (!(o.eta_scale > 0)) bad(fmt::format("eta_scale = {} must be > 0", o.eta_scale));
  if (o.solver.n_streams < 1) bad("solver.n_streams must be >= 1");
}
}  // namespace

SscaResult run_ssca(const AssignmentProblem& problem, const ChannelSampler& sample,
                    const SscaOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  check(options);
  problem.validate();
  if (!sample) bad("no channel sampler");
  const int n = problem.n_devices();
  const auto lo = problem.lower_bounds(), hi = problem.upper_bounds();

  std::vector<double> m = options.initial.empty() ? uniform_shares(problem) : options.initial;
  if (static_cast<int>(m.size()) != n)
    bad(fmt::format("initial has {} shares for {} devices", m.size(), n));
  if (!problem.is_feasible(m)) m = solve_simplex_qp(m, lo, hi, 1.0, {}, problem.linear);

  SscaResult r;
  std::vector<double> u(n, 0.0);
  double fbar = 0;
  std::vector<std::vector<double>> history;  // m^t, for the stopping rule
  for (int t = 0; t < options.max_iterations; ++t) {
    const ChannelRealization ch = sample(t);
    const SampleEvaluation ev = evaluate_sample(problem, m, ch, options.solver, options.gradient);
    if (!std::isfinite(ev.mse)) bad(fmt::format("iteration {}: the short-term design returned MSE {}", t, ev.mse));
    const double rho = std::pow(t + 1.0, -options.rho_exponent);
    const double gamma = std::pow(t + 1.0, -options.gamma_exponent);
    fbar = (1 - rho) * fbar + rho * ev.mse;
    for (int i = 0; i < n; ++i) u[i] = (1 - rho) * u[i] + rho * ev.gradient[i];
    if (t == 0) {
      double norm = 0;
      for (double g : u) norm += g * g;
      norm = std::sqrt(norm);
      // A zero first gradient (e.g. every device dropped) falls back to the MSE scale.
      r.eta = options.eta_scale * (norm > 0 ? norm : std::max(ev.mse, 1e-300));
    }
    if (options.record_trace) r.trace.push_back({t, ev.mse, fbar, rho, gamma, m});
    history.push_back(m);

    const std::vector<double> mhat = solve_surrogate(u, m, r.eta, lo, hi, problem.linear);
    for (int i = 0; i < n; ++i) m[i] = (1 - gamma) * m[i] + gamma * mhat[i];
    r.iterations = t + 1;

    if (r.iterations >= std::max(options.min_iterations, options.window + 1)) {
      const auto& old = history[history.size() - options.window];
      double change = 0;
      for (int i = 0; i < n; ++i) change = std::max(change, std::abs(m[i] - old[i]));
      if (change < options.tolerance) {
        r.converged = true;
        break;
      }
    }
  }
  // Convex combinations of feasible points are feasible; remove rounding drift of the sum.
  if (!problem.is_feasible(m, 1e-12)) m = solve_simplex_qp(m, lo, hi, 1.0, {}, problem.linear);
  const std::string v = problem.violation(m, 1e-9);
  if (!v.empty()) throw std::logic_error("ssca: final assignment infeasible: " + v);
  r.shares = m;
  r.running_mse = fbar;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace airtp
