#include "wireless/aircomp_signal.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace airtp {
namespace {

void check_dims(const std::vector<Eigen::MatrixXcd>& H, const std::vector<Eigen::MatrixXcd>& B,
                const Eigen::MatrixXcd& A, double sigma2, const char* where) {
  if (H.empty()) throw std::invalid_argument(fmt::format("{}: no devices", where));
  if (B.size() != H.size())
    throw std::invalid_argument(fmt::format("{}: {} precoders for {} channels", where, B.size(), H.size()));
  const auto M = A.rows(), L = A.cols();
  for (size_t n = 0; n < H.size(); ++n) {
    if (H[n].rows() != M)
      throw std::invalid_argument(fmt::format("{}: H[{}] has {} rows, A has {}", where, n, H[n].rows(), M));
    if (B[n].rows() != H[n].cols() || B[n].cols() != L)
      throw std::invalid_argument(fmt::format("{}: B[{}] is {}x{}, expected {}x{}", where, n,
                                              B[n].rows(), B[n].cols(), H[n].cols(), L));
  }
  if (!(sigma2 >= 0) || !std::isfinite(sigma2))
    throw std::invalid_argument(fmt::format("{}: noise power {} must be >= 0", where, sigma2));
}

}  // namespace

Eigen::MatrixXcd simulate_aircomp(const std::vector<Eigen::MatrixXcd>& H,
                                  const std::vector<Eigen::MatrixXcd>& B, const Eigen::MatrixXcd& A,
                                  const std::vector<Eigen::MatrixXcd>& S, double sigma2,
                                  WirelessRng& rng) {
  check_dims(H, B, A, sigma2, "simulate_aircomp");
  if (S.size() != H.size())
    throw std::invalid_argument(fmt::format("simulate_aircomp: {} symbol blocks for {} devices", S.size(), H.size()));
  const auto M = A.rows(), L = A.cols(), T = S[0].cols();
  for (size_t n = 0; n < S.size(); ++n)
    if (S[n].rows() != L || S[n].cols() != T)
      throw std::invalid_argument(fmt::format("simulate_aircomp: S[{}] is {}x{}, expected {}x{}", n,
                                              S[n].rows(), S[n].cols(), L, T));
  Eigen::MatrixXcd Y(M, T);
  for (Eigen::Index t = 0; t < T; ++t)
    for (Eigen::Index m = 0; m < M; ++m) Y(m, t) = rng.complex_normal(sigma2);
  for (size_t n = 0; n < H.size(); ++n) Y.noalias() += (H[n] * B[n]) * S[n];
  return A.adjoint() * Y;
}

std::vector<double> aircomp_sum(const std::vector<std::span<const float>>& partials,
                                const std::vector<Eigen::MatrixXcd>& H,
                                const std::vector<Eigen::MatrixXcd>& B, const Eigen::MatrixXcd& A,
                                double sigma2, WirelessRng& rng, int reals_per_symbol,
                                AirCompSumInfo* info) {
  check_dims(H, B, A, sigma2, "aircomp_sum");
  const size_t N = H.size();
  if (partials.size() != N)
    throw std::invalid_argument(fmt::format("aircomp_sum: {} partial vectors for {} devices", partials.size(), N));
  if (reals_per_symbol != 1 && reals_per_symbol != 2)
    throw std::invalid_argument(fmt::format("aircomp_sum: reals_per_symbol = {} must be 1 or 2", reals_per_symbol));
  const size_t D = partials[0].size();
  for (size_t n = 0; n < N; ++n) {
    if (partials[n].size() != D)
      throw std::invalid_argument(fmt::format("aircomp_sum: partial {} has {} entries, partial 0 has {}",
                                              n, partials[n].size(), D));
    for (float x : partials[n])
      if (!std::isfinite(x))
        throw std::invalid_argument(fmt::format("aircomp_sum: partial {} has a NaN/inf entry", n));
  }

  // Common-scale normalization: the same v for every device keeps the over-the-air sum a sum.
  std::vector<double> mu(N, 0.0);
  double max_var = 0;
  for (size_t n = 0; n < N; ++n) {
    double s = 0, s2 = 0;
    for (float x : partials[n]) s += x;
    mu[n] = D ? s / static_cast<double>(D) : 0.0;
    for (float x : partials[n]) s2 += (x - mu[n]) * (x - mu[n]);
    if (D) max_var = std::max(max_var, s2 / static_cast<double>(D));
  }
  const int kappa = reals_per_symbol;
  const double v = std::sqrt(kappa * max_var);
  const double mean_sum = [&] { double s = 0; for (double m : mu) s += m; return s; }();
  std::vector<double> out(D, mean_sum);
  const auto L = A.cols();
  const size_t per_use = static_cast<size_t>(kappa) * static_cast<size_t>(L);
  const int64_t uses = (v > 0 && D > 0) ? static_cast<int64_t>((D + per_use - 1) / per_use) : 0;
  if (info) {
    info->channel_uses = uses;
    info->scale = v;
    info->means = mu;
  }
  if (uses == 0) return out;

  // Symbol index k = t*L + l carries reals kappa*k (+1 in the imaginary part if kappa == 2).
  std::vector<Eigen::MatrixXcd> S(N, Eigen::MatrixXcd::Zero(L, uses));
  for (size_t n = 0; n < N; ++n) {
    const auto& x = partials[n];
    for (size_t i = 0; i < D; ++i) {
      const size_t k = i / kappa;
      const double val = (x[i] - mu[n]) / v;
      auto& s = S[n](static_cast<Eigen::Index>(k % L), static_cast<Eigen::Index>(k / L));
      if (kappa == 2 && i % 2 == 1) s.imag(val); else s.real(val);
    }
  }
  const Eigen::MatrixXcd est = simulate_aircomp(H, B, A, S, sigma2, rng);
  for (size_t i = 0; i < D; ++i) {
    const size_t k = i / kappa;
    const auto s = est(static_cast<Eigen::Index>(k % L), static_cast<Eigen::Index>(k / L));
    out[i] += v * ((kappa == 2 && i % 2 == 1) ? s.imag() : s.real());
  }
  return out;
}

}  // namespace airtp
