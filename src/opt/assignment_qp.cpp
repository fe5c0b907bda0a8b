#include "opt/assignment_qp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace airtp {

namespace {
[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("simplex QP: " + what);
}

void check_inputs(std::span<const double> c, std::span<const double> lo, std::span<const double> hi,
                  double total, std::span<const double> w) {
  const size_t n = c.size();
  if (n == 0) bad("no variables");
  if (lo.size() != n || hi.size() != n)
    bad(fmt::format("{} centres but {} lower and {} upper bounds", n, lo.size(), hi.size()));
  if (!w.empty() && w.size() != n) bad(fmt::format("{} weights for {} variables", w.size(), n));
  if (!std::isfinite(total)) bad("total is not finite");
  double slo = 0, shi = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(c[i])) bad(fmt::format("centre[{}] = {} is not finite", i, c[i]));
    if (!(lo[i] <= hi[i]) || !std::isfinite(lo[i]) || !std::isfinite(hi[i]))
      bad(fmt::format("bounds of variable {} are [{}, {}]: need finite lo <= hi", i, lo[i], hi[i]));
    if (!w.empty() && !(w[i] > 0 && std::isfinite(w[i])))
      bad(fmt::format("weight[{}] = {} must be > 0", i, w[i]));
    slo += lo[i];
    shi += hi[i];
  }
  const double tol = 1e-12 * std::max(1.0, std::abs(total));
  if (slo > total + tol)
    bad(fmt::format("infeasible: lower bounds sum to {} > {}", slo, total));
  if (shi < total - tol)
    bad(fmt::format("infeasible: upper bounds sum to {} < {} (the devices cannot hold the whole "
                    "model within their memory / energy limits)", shi, total));
}
}  // namespace

std::vector<double> project_capped_simplex(std::span<const double> c, std::span<const double> lo,
                                           std::span<const double> hi, double total,
                                           std::span<const double> weights) {
  check_inputs(c, lo, hi, total, weights);
  const size_t n = c.size();
  auto inv_w = [&](size_t i) { return weights.empty() ? 1.0 : 1.0 / weights[i]; };
  // m_i(tau) = clamp(c_i - tau / w_i, lo_i, hi_i) is nonincreasing in tau; variable i is free
  // for tau in [w_i (c_i - hi_i), w_i (c_i - lo_i)].
  std::vector<double> bp;
  bp.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    bp.push_back(w * (c[i] - hi[i]));
    bp.push_back(w * (c[i] - lo[i]));
  }
  std::sort(bp.begin(), bp.end());
  auto sum_at = [&](double tau) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += std::clamp(c[i] - tau * inv_w(i), lo[i], hi[i]);
    return s;
  };
  // sum_at(bp.front()) = sum hi >= total >= sum lo = sum_at(bp.back()). Find the segment
  // [bp[k], bp[k+1]] with sum_at(bp[k]) >= total >= sum_at(bp[k+1]) by bisection on k.
  size_t a = 0, b = bp.size() - 1;
  while (b - a > 1) {
    const size_t mid = (a + b) / 2;
    if (sum_at(bp[mid]) >= total) a = mid; else b = mid;
  }
  // On the segment the map is affine: solve exactly with the free set at its midpoint.
  const double t_mid = 0.5 * (bp[a] + bp[b]);
  double fixed = 0, slope = 0, free_c = 0;
  for (size_t i = 0; i < n; ++i) {
    const double v = c[i] - t_mid * inv_w(i);
    if (v <= lo[i]) fixed += lo[i];
    else if (v >= hi[i]) fixed += hi[i];
    else {
      free_c += c[i];
      slope += inv_w(i);
    }
  }
  double tau = bp[a];
  if (slope > 0) tau = (free_c + fixed - total) / slope;
  std::vector<double> m(n);
  for (size_t i = 0; i < n; ++i) m[i] = std::clamp(c[i] - tau * inv_w(i), lo[i], hi[i]);
  // Remove the last rounding error from the sum without leaving the box.
  double err = std::accumulate(m.begin(), m.end(), 0.0) - total;
  for (size_t i = 0; i < n && err != 0; ++i) {
    const double nv = std::clamp(m[i] - err, lo[i], hi[i]);
    err -= m[i] - nv;
    m[i] = nv;
  }
  return m;
}

std::vector<double> solve_simplex_qp(std::span<const double> c, std::span<const double> lo,
                                     std::span<const double> hi, double total,
                                     std::span<const double> weights,
                                     const std::optional<LinearConstraint>& linear) {
  std::vector<double> m = project_capped_simplex(c, lo, hi, total, weights);
  if (!linear) return m;
  const auto& a = linear->a;
  const size_t n = c.size();
  if (a.size() != n) bad(fmt::format("linear constraint has {} coefficients for {} variables", a.size(), n));
  auto lhs = [&](const std::vector<double>& x) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += a[i] * x[i];
    return s;
  };
  const double tol = 1e-12 * std::max(1.0, std::abs(linear->b));
  if (lhs(m) <= linear->b + tol) return m;
  // Feasibility: the smallest a^T m over the box-simplex fills the cheapest coordinates first.
  {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return a[x] < a[y]; });
    std::vector<double> x(lo.begin(), lo.end());
    double left = total - std::accumulate(x.begin(), x.end(), 0.0);
    for (size_t i : order) {
      const double add = std::min(left, hi[i] - lo[i]);
      x[i] += add;
      left -= add;
    }
    if (lhs(x) > linear->b + tol)
      bad(fmt::format("infeasible: the linear constraint needs a^T m <= {}, but its minimum over "
                      "the feasible shares is {}", linear->b, lhs(x)));
  }
  // KKT: m(mu) = projection of c - mu a / w; a^T m(mu) is nonincreasing in mu. Bracket, then
  // bisect until the bracket stops shrinking.
  std::vector<double> shifted(n);
  auto at = [&](double mu) {
    for (size_t i = 0; i < n; ++i) shifted[i] = c[i] - mu * a[i] / (weights.empty() ? 1.0 : weights[i]);
    return project_capped_simplex(shifted, lo, hi, total, weights);
  };
  double mu_lo = 0, mu_hi = 1;
  std::vector<double> m_hi = at(mu_hi);
  for (int k = 0; k < 200 && lhs(m_hi) > linear->b; ++k) {
    mu_lo = mu_hi;
    mu_hi *= 2;
    m_hi = at(mu_hi);
  }
  for (int k = 0; k < 200; ++k) {
    const double mid = 0.5 * (mu_lo + mu_hi);
    if (mid <= mu_lo || mid >= mu_hi) break;
    std::vector<double> mm = at(mid);
    if (lhs(mm) > linear->b) mu_lo = mid;
    else {
      mu_hi = mid;
      m_hi = std::move(mm);
    }
  }
  return m_hi;
}

std::vector<double> solve_surrogate(std::span<const double> g, std::span<const double> m0,
                                    double eta, std::span<const double> lo,
                                    std::span<const double> hi,
                                    const std::optional<LinearConstraint>& linear) {
  if (!(eta > 0 && std::isfinite(eta))) bad(fmt::format("eta = {} must be > 0", eta));
  if (g.size() != m0.size()) bad(fmt::format("{} gradient entries for {} shares", g.size(), m0.size()));
  // g^T (m - m0) + eta ||m - m0||^2 = eta ||m - (m0 - g / (2 eta))||^2 + const.
  std::vector<double> c(m0.size());
  for (size_t i = 0; i < c.size(); ++i) c[i] = m0[i] - g[i] / (2 * eta);
  return solve_simplex_qp(c, lo, hi, 1.0, {}, linear);
}

}  // namespace airtp
