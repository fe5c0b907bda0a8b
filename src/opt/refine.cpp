#include "opt/refine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace airtp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// log(||G||^2 c_n(G) / p_n) for the kept devices and, if wanted, their gradients (real inner
// product Re tr(D^H dG)): d c_n = -2 Re tr((H_n H_n^H G X_n^-2)^H dG), X_n = G^H H_n H_n^H G,
// so grad log c_n = -2 H_n C_n X_n^-2 / c_n with C_n = H_n^H G; grad log ||G||^2 = 2 G / ||G||^2.
// False if some X_n is (numerically) singular.
bool log_ratios(const TransceiverProblem& p, const std::vector<int>& kept, const Eigen::MatrixXcd& G,
                Eigen::VectorXd& logr, std::vector<Eigen::MatrixXcd>* grads) {
  const auto L = G.cols();
  const double g2 = G.squaredNorm();
  logr.resize(static_cast<Eigen::Index>(kept.size()));
  if (grads) grads->resize(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    const Eigen::MatrixXcd& H = p.H[kept[i]];
    const Eigen::MatrixXcd C = H.adjoint() * G;
    Eigen::LLT<Eigen::MatrixXcd> llt(C.adjoint() * C);
    if (llt.info() != Eigen::Success) return false;
    const Eigen::MatrixXcd Xi = llt.solve(Eigen::MatrixXcd::Identity(L, L));
    const double c = Xi.trace().real();
    if (!(c > 0) || !std::isfinite(c)) return false;
    logr(static_cast<Eigen::Index>(i)) = std::log(g2 * c / p.power[kept[i]]);
    if (grads) (*grads)[i] = (-2.0 / c) * (H * (C * (Xi * Xi))) + (2.0 / g2) * G;
  }
  return true;
}

// mu log sum exp(x / mu), shifted by the max for range; and its softmax weights.
double soft_max(const Eigen::VectorXd& x, double mu, Eigen::VectorXd* w) {
  const double m = x.maxCoeff();
  const Eigen::VectorXd e = ((x.array() - m) / mu).exp();
  const double s = e.sum();
  if (w) *w = e / s;
  return m + mu * std::log(s);
}

// argmin_B ||C B - I||^2 s.t. ||B||^2 <= p: B = V diag(s / (s^2 + mu)) U^H with the smallest
// mu >= 0 meeting the budget (the power is decreasing in mu).
Eigen::MatrixXcd constrained_inverse(const Eigen::MatrixXcd& C, double p) {
  Eigen::JacobiSVD<Eigen::MatrixXcd> svd(C, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd s = svd.singularValues();
  const double tiny = 1e-13 * (s.size() ? s(0) : 0.0);
  auto power = [&](double mu) {
    double q = 0;
    for (Eigen::Index i = 0; i < s.size(); ++i)
      if (s(i) > tiny) q += s(i) * s(i) / ((s(i) * s(i) + mu) * (s(i) * s(i) + mu));
    return q;
  };
  double mu = 0;
  if (!(power(0) <= p)) {
    double lo = 0, hi = std::sqrt(s.squaredNorm() / p);  // power(hi) <= sum s^2 / hi^2 = p
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
      const double mid = 0.5 * (lo + hi);
      (power(mid) > p ? lo : hi) = mid;
    }
    mu = hi;
  }
  Eigen::VectorXd g(s.size());
  for (Eigen::Index i = 0; i < s.size(); ++i) g(i) = s(i) > tiny ? s(i) / (s(i) * s(i) + mu) : 0.0;
  return svd.matrixV() * g.asDiagonal() * svd.matrixU().adjoint();
}

}  // namespace

std::vector<bool> best_drop_set(const TransceiverProblem& problem, const Eigen::MatrixXcd& G,
                                const std::vector<bool>& must_drop, bool allow_drop) {
  const int N = problem.n_devices(), L = problem.n_streams;
  std::vector<bool> dropped = must_drop.empty() ? std::vector<bool>(N, false) : must_drop;
  std::vector<std::pair<double, int>> r;
  const double g2 = G.squaredNorm();
  for (int n = 0; n < N; ++n)
    if (!dropped[n]) r.emplace_back(g2 * zf_trace_inverse(G, problem.H[n]) / problem.power[n], n);
  if (!allow_drop || r.empty()) return dropped;
  std::sort(r.begin(), r.end(), std::greater<>());
  size_t best_k = 0;
  double best = kInf;
  for (size_t k = 0; k <= r.size(); ++k) {
    const double v = (k < r.size() ? problem.sigma2 * r[k].first : 0.0) + static_cast<double>(L) * k;
    if (v < best) best = v, best_k = k;
  }
  for (size_t k = 0; k < best_k; ++k) dropped[r[k].second] = true;
  return dropped;
}

Eigen::MatrixXcd refine_zf_direction(const TransceiverProblem& problem, const Eigen::MatrixXcd& G0,
                                     const std::vector<bool>& dropped, double tolerance, int max_iterations,
                                     int* iterations) {
  std::vector<int> kept;
  for (int n = 0; n < problem.n_devices(); ++n)
    if (dropped.empty() || !dropped[n]) kept.push_back(n);
  Eigen::MatrixXcd G = G0 / G0.norm();
  if (iterations) *iterations = 0;
  Eigen::VectorXd logr, logr_t, w;
  std::vector<Eigen::MatrixXcd> grads;
  if (kept.empty() || !log_ratios(problem, kept, G, logr, &grads)) return G;
  double mu = 0.05;  // in log units: devices within ~5 % of the worst share the gradient
  double step = -1;
  std::vector<double> history{logr.maxCoeff()};
  int it = 0;
  for (; it < max_iterations; ++it) {
    const double f = logr.maxCoeff();
    const double s = soft_max(logr, mu, &w);
    Eigen::MatrixXcd grad = Eigen::MatrixXcd::Zero(G.rows(), G.cols());
    for (size_t i = 0; i < kept.size(); ++i) grad += w(static_cast<Eigen::Index>(i)) * grads[i];
    const double gn2 = grad.squaredNorm();
    if (step < 0) step = 0.3 / std::sqrt(gn2);
    bool accepted = false;
    Eigen::MatrixXcd Gt;
    for (int bt = 0; bt < 30 && gn2 > 0; ++bt, step *= 0.5) {
      Gt = G - step * grad;
      Gt /= Gt.norm();
      if (!log_ratios(problem, kept, Gt, logr_t, nullptr)) continue;
      if (logr_t.maxCoeff() < f && soft_max(logr_t, mu, nullptr) <= s - 1e-4 * step * gn2) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {  // the smoothing hides the kink that blocks progress: sharpen it
      mu *= 0.25;
      step = -1;
      if (mu < 1e-6) break;
      continue;
    }
    G = Gt;
    step *= 4;  // undo this step's last halving and try a longer one next time
    log_ratios(problem, kept, G, logr, &grads);
    history.push_back(logr.maxCoeff());
    // Differences of log alpha are relative improvements.
    if (history.size() > 10 && history[history.size() - 11] - history.back() < tolerance) break;
  }
  if (iterations) *iterations = it;
  return G;
}

void refine_alternating(const TransceiverProblem& problem, TransceiverDesign& d, double tolerance,
                        int max_iterations, int* iterations) {
  const int N = problem.n_devices(), M = problem.n_rx(), L = problem.n_streams;
  evaluate_design(problem, d);
  TransceiverDesign best = d;
  int it = 0;
  for (; it < max_iterations; ++it) {
    TransceiverDesign t = best;
    for (int n = 0; n < N; ++n) t.B[n] = constrained_inverse(t.A.adjoint() * problem.H[n], problem.power[n]);
    Eigen::MatrixXcd S = problem.sigma2 * Eigen::MatrixXcd::Identity(M, M);
    Eigen::MatrixXcd T = Eigen::MatrixXcd::Zero(M, L);
    for (int n = 0; n < N; ++n) {
      const Eigen::MatrixXcd HB = problem.H[n] * t.B[n];
      S.noalias() += HB * HB.adjoint();
      T += HB;
    }
    t.A = S.llt().solve(T);
    evaluate_design(problem, t);
    if (!(t.mse < best.mse)) break;  // rounding at a fixed point: keep the better one
    const double gain = (best.mse - t.mse) / best.mse;
    best = std::move(t);
    if (gain < tolerance) {
      ++it;
      break;
    }
  }
  for (int n = 0; n < N; ++n) best.dropped[n] = best.B[n].squaredNorm() == 0;
  best.alpha = std::numeric_limits<double>::quiet_NaN();
  best.zf_trace_inverse.clear();
  d = std::move(best);
  if (iterations) *iterations = it;
}

}  // namespace airtp
