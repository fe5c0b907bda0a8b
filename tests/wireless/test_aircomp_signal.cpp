// The Monte-Carlo AirComp simulator against the analytic MSE, and the real-vector sum helper.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "wireless/aircomp_signal.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

struct Link {
  std::vector<Eigen::MatrixXcd> H, B;
  Eigen::MatrixXcd A;
  double sigma2;
};

// Hand-made designs: A arbitrary, B_n either zero-forcing (explicit normal-equation formula,
// independent of opt/) or arbitrary (misaligned).
Link make_setup(bool zero_forcing, uint64_t seed) {
  WirelessConfig c;
  c.n_rx_antennas = 6;
  c.n_tx_antennas = 3;
  c.n_streams = 2;
  c.distances_m = {25, 70, 40};
  c.tx_power_dbm = {20, 20, 20};
  c.seed = seed;
  Link s;
  const auto r = ChannelModel(c).realization(0);
  s.H = r.H;
  WirelessRng rng(seed + 100);
  s.A = Eigen::MatrixXcd(6, 2);
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 6; ++i) s.A(i, j) = rng.complex_normal(1e6);
  for (const auto& h : s.H) {
    if (zero_forcing) {
      const Eigen::MatrixXcd C = s.A.adjoint() * h;  // L x K
      s.B.push_back(C.adjoint() * (C * C.adjoint()).inverse());
    } else {
      Eigen::MatrixXcd b(3, 2);
      for (int j = 0; j < 2; ++j)
        for (int i = 0; i < 3; ++i) b(i, j) = rng.complex_normal(0.05);
      s.B.push_back(b);
    }
  }
  s.sigma2 = r.noise_power_w * 1e3;  // make the noise term visible next to misalignment
  return s;
}

double analytic_mse(const Link& s) {
  const auto L = s.A.cols();
  double mse = s.sigma2 * s.A.squaredNorm();
  for (size_t n = 0; n < s.H.size(); ++n)
    mse += (s.A.adjoint() * s.H[n] * s.B[n] - Eigen::MatrixXcd::Identity(L, L)).squaredNorm();
  return mse;
}

double monte_carlo_mse(const Link& s, int T) {
  WirelessRng rng(77);
  const auto L = s.A.cols();
  std::vector<Eigen::MatrixXcd> S(s.H.size(), Eigen::MatrixXcd(L, T));
  Eigen::MatrixXcd target = Eigen::MatrixXcd::Zero(L, T);
  for (auto& m : S) {
    for (int t = 0; t < T; ++t)
      for (int l = 0; l < L; ++l) m(l, t) = rng.complex_normal();
    target += m;
  }
  const Eigen::MatrixXcd est = simulate_aircomp(s.H, s.B, s.A, S, s.sigma2, rng);
  return (est - target).squaredNorm() / T;
}

TEST(AirCompSignal, MonteCarloMatchesAnalyticMseWithZeroForcing) {
  const Link s = make_setup(true, 3);
  for (size_t n = 0; n < s.H.size(); ++n)
    EXPECT_LT((s.A.adjoint() * s.H[n] * s.B[n] - Eigen::MatrixXcd::Identity(2, 2)).norm(), 1e-9);
  const double a = analytic_mse(s), mc = monte_carlo_mse(s, 100000);  // 2e5 symbols
  EXPECT_NEAR(mc / a, 1.0, 0.02) << "analytic " << a << " MC " << mc;
}

TEST(AirCompSignal, MonteCarloMatchesAnalyticMseWithMisalignment) {
  const Link s = make_setup(false, 4);
  const double a = analytic_mse(s), mc = monte_carlo_mse(s, 100000);
  EXPECT_NEAR(mc / a, 1.0, 0.02) << "analytic " << a << " MC " << mc;
}

TEST(AirCompSignal, RealSumIsExactWithoutNoiseAndUnbiasedWithIt) {
  Link s = make_setup(true, 5);
  const int D = 60001;  // odd: the last complex symbol is half used
  std::vector<std::vector<float>> x(3, std::vector<float>(D));
  WirelessRng rng(9);
  std::vector<double> exact(D, 0.0);
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < D; ++i) {
      x[n][i] = static_cast<float>(0.5 * n + (n + 1) * rng.normal());
      exact[i] += x[n][i];
    }
  std::vector<std::span<const float>> spans(x.begin(), x.end());
  for (int kappa : {1, 2}) {
    AirCompSumInfo info;
    const auto clean = aircomp_sum(spans, s.H, s.B, s.A, 0.0, rng, kappa, &info);
    EXPECT_EQ(info.channel_uses, (D + 2 * kappa - 1) / (2 * kappa));
    EXPECT_NEAR(info.means[1], 0.5, 0.03);
    double max_err = 0;
    for (int i = 0; i < D; ++i) max_err = std::max(max_err, std::abs(clean[i] - exact[i]));
    EXPECT_LT(max_err, 1e-6);

    // With noise and ZF, each real entry gets error variance v^2 sigma2 ||A||_F^2 / (2 L).
    const auto noisy = aircomp_sum(spans, s.H, s.B, s.A, s.sigma2, rng, kappa, &info);
    double err2 = 0, bias = 0;
    for (int i = 0; i < D; ++i) {
      err2 += (noisy[i] - exact[i]) * (noisy[i] - exact[i]);
      bias += noisy[i] - exact[i];
    }
    const double expected = info.scale * info.scale * s.sigma2 * s.A.squaredNorm() / (2 * 2);
    EXPECT_NEAR(err2 / D / expected, 1.0, 0.03) << "kappa " << kappa;
    EXPECT_LT(std::abs(bias / D), 5 * std::sqrt(expected / D));
  }
}

TEST(AirCompSignal, DroppedDeviceContributesItsMeanOnly) {
  Link s = make_setup(true, 6);
  s.B[2].setZero();
  std::vector<std::vector<float>> x = {{1, 2, 3, 4}, {0, 0, 0, 0}, {5, 7, 5, 7}};
  std::vector<std::span<const float>> spans(x.begin(), x.end());
  WirelessRng rng(1);
  const auto est = aircomp_sum(spans, s.H, s.B, s.A, 0.0, rng, 2);
  const double expected[] = {1 + 6, 2 + 6, 3 + 6, 4 + 6};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(est[i], expected[i], 1e-9);
}

TEST(AirCompSignal, ConstantInputsNeedNoChannelUse) {
  Link s = make_setup(true, 7);
  std::vector<std::vector<float>> x = {{2, 2}, {-1, -1}, {0.5, 0.5}};
  std::vector<std::span<const float>> spans(x.begin(), x.end());
  WirelessRng rng(1);
  AirCompSumInfo info;
  const auto est = aircomp_sum(spans, s.H, s.B, s.A, s.sigma2, rng, 2, &info);
  EXPECT_EQ(info.channel_uses, 0);
  EXPECT_DOUBLE_EQ(est[0], 1.5);
}

TEST(AirCompSignal, RejectsInconsistentInput) {
  Link s = make_setup(true, 8);
  WirelessRng rng(1);
  std::vector<std::vector<float>> x = {{1, 2}, {1, 2}, {1}};
  std::vector<std::span<const float>> spans(x.begin(), x.end());
  EXPECT_THROW(aircomp_sum(spans, s.H, s.B, s.A, s.sigma2, rng, 2), std::invalid_argument);
  x[2] = {1, NAN};
  spans.assign(x.begin(), x.end());
  EXPECT_THROW(aircomp_sum(spans, s.H, s.B, s.A, s.sigma2, rng, 2), std::invalid_argument);
  x[2] = {1, 2};
  spans.assign(x.begin(), x.end());
  EXPECT_THROW(aircomp_sum(spans, s.H, s.B, s.A, s.sigma2, rng, 3), std::invalid_argument);
  EXPECT_THROW(aircomp_sum(spans, s.H, s.B, s.A, -1.0, rng, 2), std::invalid_argument);
  std::vector<Eigen::MatrixXcd> S(3, Eigen::MatrixXcd::Zero(3, 4));  // L = 2 expected
  EXPECT_THROW(simulate_aircomp(s.H, s.B, s.A, S, s.sigma2, rng), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
