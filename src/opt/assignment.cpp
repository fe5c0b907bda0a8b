#include "opt/assignment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace airtp {

namespace {
[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("assignment problem: " + what);
}
}  // namespace

void AssignmentProblem::validate() const {
  const int n = n_devices();
  if (n < 1) bad("no devices (energy_budget is empty)");
  if (static_cast<int>(energy_per_param.size()) != n)
    bad(fmt::format("energy_per_param has {} entries for {} devices", energy_per_param.size(), n));
  if (!min_share.empty() && static_cast<int>(min_share.size()) != n)
    bad(fmt::format("min_share has {} entries for {} devices", min_share.size(), n));
  if (!max_share.empty() && static_cast<int>(max_share.size()) != n)
    bad(fmt::format("max_share has {} entries for {} devices", max_share.size(), n));
  if (!(layer_params > 0 && std::isfinite(layer_params)))
    bad(fmt::format("layer_params = {} must be > 0", layer_params));
  if (!(tx_seconds > 0 && std::isfinite(tx_seconds)))
    bad(fmt::format("tx_seconds = {} must be > 0", tx_seconds));
  if (!(energy_margin >= 0 && energy_margin < 1))
    bad(fmt::format("energy_margin = {} must be in [0, 1)", energy_margin));
  for (int i = 0; i < n; ++i) {
    if (!(energy_per_param[i] > 0 && std::isfinite(energy_per_param[i])))
      bad(fmt::format("energy_per_param[{}] = {} must be > 0", i, energy_per_param[i]));
    if (!(energy_budget[i] > 0 && std::isfinite(energy_budget[i])))
      bad(fmt::format("energy_budget[{}] = {} must be > 0", i, energy_budget[i]));
    // Checked before upper_bounds(): std::min would drop a NaN and read it as "no limit".
    if (!max_share.empty() && !(max_share[i] >= 0 && max_share[i] <= 1))
      bad(fmt::format("max_share[{}] = {} must be in [0, 1]", i, max_share[i]));
    if (!min_share.empty() && !(min_share[i] >= 0 && min_share[i] <= 1))
      bad(fmt::format("min_share[{}] = {} must be in [0, 1]", i, min_share[i]));
  }
  const auto lo = lower_bounds(), hi = upper_bounds();
  double slo = 0, shi = 0;
  for (int i = 0; i < n; ++i) {
    if (!(lo[i] >= 0 && lo[i] <= hi[i]))
      bad(fmt::format("device {}: share bounds [{}, {}] are empty (min_share above the memory / "
                      "energy limit)", i, lo[i], hi[i]));
    slo += lo[i];
    shi += hi[i];
  }
  if (slo > 1 + 1e-12) bad(fmt::format("min_share sums to {} > 1", slo));
  if (shi < 1 - 1e-12)
    bad(fmt::format("no feasible assignment: memory and energy limits allow shares summing to "
                    "only {:.6g} < 1 (per device: [{:.4g}])", shi, fmt::join(hi, ", ")));
  if (linear) {
    // solve_simplex_qp checks emptiness with the linear cut; use it on any centre.
    std::vector<double> c(n, 1.0 / n);
    solve_simplex_qp(c, lo, hi, 1.0, {}, linear);
  }
}

std::vector<double> AssignmentProblem::lower_bounds() const {
  return min_share.empty() ? std::vector<double>(n_devices(), 0.0) : min_share;
}

std::vector<double> AssignmentProblem::upper_bounds() const {
  std::vector<double> hi(n_devices());
  for (int i = 0; i < n_devices(); ++i) {
    const double energy = (1 - energy_margin) * energy_budget[i] / (energy_per_param[i] * layer_params);
    hi[i] = std::min({1.0, energy, max_share.empty() ? 1.0 : max_share[i]});
  }
  return hi;
}

std::vector<double> AssignmentProblem::tx_power(std::span<const double> m) const {
  if (static_cast<int>(m.size()) != n_devices())
    bad(fmt::format("{} shares for {} devices", m.size(), n_devices()));
  std::vector<double> p(m.size());
  for (size_t i = 0; i < m.size(); ++i) {
    const double left = energy_budget[i] - energy_per_param[i] * layer_params * m[i];
    if (!(left > 0))
      bad(fmt::format("device {}: share {} uses its whole energy budget ({} J): no transmit "
                      "energy left", i, m[i], energy_budget[i]));
    p[i] = left / tx_seconds;
  }
  return p;
}

std::vector<double> AssignmentProblem::tx_power_slope() const {
  std::vector<double> d(n_devices());
  for (int i = 0; i < n_devices(); ++i) d[i] = -energy_per_param[i] * layer_params / tx_seconds;
  return d;
}

std::string AssignmentProblem::violation(std::span<const double> m, double tol) const {
  if (static_cast<int>(m.size()) != n_devices())
    return fmt::format("{} shares for {} devices", m.size(), n_devices());
  const auto lo = lower_bounds(), hi = upper_bounds();
  double sum = 0;
  for (int i = 0; i < n_devices(); ++i) {
    if (!std::isfinite(m[i])) return fmt::format("m[{}] is not finite", i);
    if (m[i] < lo[i] - tol) return fmt::format("m[{}] = {} < lower bound {}", i, m[i], lo[i]);
    if (m[i] > hi[i] + tol) return fmt::format("m[{}] = {} > upper bound {}", i, m[i], hi[i]);
    sum += m[i];
  }
  if (std::abs(sum - 1) > tol) return fmt::format("shares sum to {}", sum);
  if (linear) {
    double s = 0;
    for (int i = 0; i < n_devices(); ++i) s += linear->a[i] * m[i];
    if (s > linear->b + tol) return fmt::format("a^T m = {} > b = {}", s, linear->b);
  }
  return {};
}

bool AssignmentProblem::is_feasible(std::span<const double> m, double tol) const {
  return violation(m, tol).empty();
}

TransceiverProblem transceiver_problem(const ChannelRealization& channel,
                                       std::span<const double> power, int n_streams) {
  TransceiverProblem p;
  p.H = channel.H;
  p.sigma2 = channel.noise_power_w;
  p.power.assign(power.begin(), power.end());
  p.n_streams = n_streams;
  return p;
}

GradientMethod parse_gradient_method(const std::string& name) {
  if (name == "dual") return GradientMethod::SdrDual;
  if (name == "fixed") return GradientMethod::FixedDirection;
  throw std::invalid_argument(
      fmt::format("gradient method '{}' unknown (allowed: dual, fixed)", name));
}

std::string to_string(GradientMethod g) {
  return g == GradientMethod::SdrDual ? "dual" : "fixed";
}

SampleEvaluation evaluate_sample(const AssignmentProblem& problem, std::span<const double> m,
                                 const ChannelRealization& channel, const ShortTermSolver& solver,
                                 GradientMethod gradient) {
  const int n = problem.n_devices();
  if (static_cast<int>(channel.H.size()) != n)
    bad(fmt::format("channel has {} devices, the problem {}", channel.H.size(), n));
  const std::vector<double> p = problem.tx_power(m);
  const TransceiverProblem tp = transceiver_problem(channel, p, solver.n_streams);
  const TransceiverDesign d = design_transceiver(tp, solver.method, solver.options);
  SampleEvaluation out;
  out.mse = d.mse;
  out.sdr_bound = d.sdr_bound;
  out.n_dropped = d.n_dropped();
  out.gradient.assign(n, 0.0);
  const auto slope = problem.tx_power_slope();
  const double sigma2 = tp.sigma2;
  const double L = solver.n_streams;
  if (gradient == GradientMethod::SdrDual) {
    if (d.sdr_dual_trace.size() != static_cast<size_t>(n))
      bad("gradient 'dual' needs the SDR transceiver design (its dual matrices); use 'fixed' "
          "with other designs");
    // d(sigma2 tr Q*)/dp_n = -sigma2 tr(Lambda_n) L / p_n^2; chain rule through p_n(m_n).
    for (int i = 0; i < n; ++i) {
      const double t = d.sdr_dual_trace[i];
      if (std::isfinite(t)) out.gradient[i] = -sigma2 * t * L / (p[i] * p[i]) * slope[i];
    }
  } else {
    if (d.zf_trace_inverse.empty() && d.B.size() == static_cast<size_t>(n)) {
      // Non-ZF design (design_sdr picks one at low SNR): hold A and the precoders' directions,
      // B_n(p) = sqrt(p / q_n) B_n with q_n its power now; with C = A^H H_n B_n the device's
      // term ||sqrt(p/q) C - I||^2 has slope ||C||^2 / q - Re tr C / sqrt(p q), at p = q.
      for (int i = 0; i < n; ++i) {
        const double q = d.B[i].squaredNorm();
        if (!(q > 0)) continue;
        const Eigen::MatrixXcd C = d.A.adjoint() * tp.H[i] * d.B[i];
        out.gradient[i] = (C.squaredNorm() - C.trace().real()) / q * slope[i];
      }
      return out;
    }
    if (d.zf_trace_inverse.size() != static_cast<size_t>(n))
      bad("gradient 'fixed' needs a zero-forcing design (c_n = tr((G^H H_n H_n^H G)^-1))");
    // MSE = sigma2 max_n c_n / p_n over kept devices (+ L per dropped one, constant in m).
    int active = -1;
    double worst = -1;
    for (int i = 0; i < n; ++i) {
      const bool dropped = i < static_cast<int>(d.dropped.size()) && d.dropped[i];
      if (dropped || !std::isfinite(d.zf_trace_inverse[i])) continue;
      const double v = d.zf_trace_inverse[i] / p[i];
      if (v > worst) {
        worst = v;
        active = i;
      }
    }
    if (active >= 0) {
      const double c = d.zf_trace_inverse[active];
      out.gradient[active] = -sigma2 * c / (p[active] * p[active]) * slope[active];
    }
  }
  return out;
}

MseEstimate expected_mse(const AssignmentProblem& problem, std::span<const double> m,
                         std::span<const ChannelRealization> channels,
                         const ShortTermSolver& solver) {
  if (channels.empty()) bad("expected_mse needs at least one channel realization");
  MseEstimate e;
  double sum = 0, sum2 = 0, bound = 0;
  const auto p = problem.tx_power(m);
  for (const auto& ch : channels) {
    const TransceiverDesign d =
        design_transceiver(transceiver_problem(ch, p, solver.n_streams), solver.method, solver.options);
    e.per_sample.push_back(d.mse);
    sum += d.mse;
    sum2 += d.mse * d.mse;
    bound += d.sdr_bound;
  }
  const double k = static_cast<double>(channels.size());
  e.mean = sum / k;
  e.std_error = k > 1 ? std::sqrt(std::max(0.0, (sum2 - k * e.mean * e.mean) / (k - 1)) / k) : 0;
  e.mean_sdr_bound = bound / k;
  return e;
}

std::vector<double> proportional_shares(const AssignmentProblem& problem,
                                        std::span<const double> weights) {
  problem.validate();
  const int n = problem.n_devices();
  if (static_cast<int>(weights.size()) != n)
    bad(fmt::format("{} weights for {} devices", weights.size(), n));
  double total = 0;
  for (int i = 0; i < n; ++i) {
    if (!(weights[i] >= 0 && std::isfinite(weights[i])))
      bad(fmt::format("weight[{}] = {} must be >= 0", i, weights[i]));
    total += weights[i];
  }
  if (!(total > 0)) bad("proportional shares need at least one positive weight");
  std::vector<double> m(n);
  for (int i = 0; i < n; ++i) m[i] = weights[i] / total;
  if (problem.is_feasible(m, 0)) return m;
  return solve_simplex_qp(m, problem.lower_bounds(), problem.upper_bounds(), 1.0, {}, problem.linear);
}

std::vector<double> uniform_shares(const AssignmentProblem& problem) {
  return proportional_shares(problem, std::vector<double>(problem.n_devices(), 1.0));
}

}  // namespace airtp
