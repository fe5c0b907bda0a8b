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

int64_t aircomp_channel_uses(size_t values, int reals_per_symbol, int streams) {
  const size_t per_use = static_cast<size_t>(reals_per_symbol) * static_cast<size_t>(streams);
  return static_cast<int64_t>((values + per_use - 1) / per_use);
}

PartialMoments partial_moments(std::span<const float> x) {
  PartialMoments m;
  if (x.empty()) return m;
  const double D = static_cast<double>(x.size());
  for (float v : x) m.mean += v;
  m.mean /= D;
  for (float v : x) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= D;
  return m;
}

double aircomp_common_scale(const std::vector<PartialMoments>& m, int reals_per_symbol) {
  double max_var = 0;
  for (const auto& p : m) max_var = std::max(max_var, p.variance);
  return std::sqrt(reals_per_symbol * max_var);
}

Eigen::MatrixXcd aircomp_pack(std::span<const float> x, double mean, double scale, int reals_per_symbol, int streams,
                              int64_t channel_uses) {
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(streams, channel_uses);
  // Column-major L x T: complex symbol k = t*L + l sits at S.data()[k], real part then imaginary.
  auto* s = reinterpret_cast<double*>(S.data());
  const size_t kappa = static_cast<size_t>(reals_per_symbol);
  for (size_t i = 0; i < x.size(); ++i) s[2 * (i / kappa) + i % kappa] = (x[i] - mean) / scale;
  return S;
}

void aircomp_superpose(const Eigen::MatrixXcd& H, const Eigen::MatrixXcd& B, const Eigen::MatrixXcd& S,
                       Eigen::MatrixXcd& Y) {
  Y.noalias() += H * (B * S);
}

Eigen::MatrixXcd aircomp_receive(Eigen::MatrixXcd Y, const Eigen::MatrixXcd& A, double sigma2, WirelessRng& rng) {
  for (Eigen::Index t = 0; t < Y.cols(); ++t)
    for (Eigen::Index m = 0; m < Y.rows(); ++m) Y(m, t) += rng.complex_normal(sigma2);
  return A.adjoint() * Y;
}

namespace {
template <class T>
void unpack(const Eigen::MatrixXcd& s_hat, double mean_sum, double scale, int reals_per_symbol, std::span<T> out) {
  const auto* z = reinterpret_cast<const double*>(s_hat.data());
  const size_t kappa = static_cast<size_t>(reals_per_symbol);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(mean_sum + scale * z[2 * (i / kappa) + i % kappa]);
}
}  // namespace

void aircomp_unpack(const Eigen::MatrixXcd& s_hat, double mean_sum, double scale, int reals_per_symbol,
                    std::span<float> out) {
  unpack(s_hat, mean_sum, scale, reals_per_symbol, out);
}

void aircomp_unpack(const Eigen::MatrixXcd& s_hat, double mean_sum, double scale, int reals_per_symbol,
                    std::span<double> out) {
  unpack(s_hat, mean_sum, scale, reals_per_symbol, out);
}

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
  Eigen::MatrixXcd Y = Eigen::MatrixXcd::Zero(M, T);
  for (size_t n = 0; n < H.size(); ++n) aircomp_superpose(H[n], B[n], S[n], Y);
  return aircomp_receive(std::move(Y), A, sigma2, rng);
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

  std::vector<PartialMoments> moments;
  for (const auto& p : partials) moments.push_back(partial_moments(p));
  const double v = aircomp_common_scale(moments, reals_per_symbol);
  double mean_sum = 0;
  for (const auto& m : moments) mean_sum += m.mean;
  const int L = static_cast<int>(A.cols());
  const int64_t uses = (v > 0 && D > 0) ? aircomp_channel_uses(D, reals_per_symbol, L) : 0;
  if (info) {
    info->channel_uses = uses;
    info->scale = v;
    info->means.clear();
    for (const auto& m : moments) info->means.push_back(m.mean);
  }
  if (uses == 0) return std::vector<double>(D, mean_sum);

  Eigen::MatrixXcd Y = Eigen::MatrixXcd::Zero(A.rows(), uses);
  for (size_t n = 0; n < N; ++n)
    aircomp_superpose(H[n], B[n], aircomp_pack(partials[n], moments[n].mean, v, reals_per_symbol, L, uses), Y);
  const Eigen::MatrixXcd s_hat = aircomp_receive(std::move(Y), A, sigma2, rng);
  std::vector<double> est(D);
  aircomp_unpack(s_hat, mean_sum, v, reals_per_symbol, std::span<double>(est));
  return est;
}

}  // namespace airtp
