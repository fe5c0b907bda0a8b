// Channel statistics against the configuration, and reproducibility from the seed.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "wireless/channel.h"
#include "wireless/rng.h"

namespace airtp {
namespace {

WirelessConfig config(Fading fading, double k_db = 3.0) {
  WirelessConfig c;
  c.n_rx_antennas = 8;
  c.n_tx_antennas = 2;
  c.n_streams = 2;
  c.fading = fading;
  c.rician_k_db = k_db;
  c.distances_m = {20, 80};
  c.tx_power_dbm = {20, 20};
  c.seed = 11;
  return c;
}

TEST(WirelessRng, MomentsOfComplexNormal) {
  WirelessRng rng(5);
  const int n = 200000;
  std::complex<double> mean = 0;
  double power = 0, re2 = 0;
  for (int i = 0; i < n; ++i) {
    const auto z = rng.complex_normal(2.0);
    mean += z;
    power += std::norm(z);
    re2 += z.real() * z.real();
  }
  EXPECT_LT(std::abs(mean / double(n)), 0.01);
  EXPECT_NEAR(power / n, 2.0, 0.02);
  EXPECT_NEAR(re2 / n, 1.0, 0.015);  // circular: half the power in each component
}

TEST(ChannelModel, DeterministicFromSeedAndBlock) {
  const ChannelModel a(config(Fading::Rician)), b(config(Fading::Rician));
  const auto r1 = a.realization(42), r2 = b.realization(42), r3 = a.realization(43);
  ASSERT_EQ(r1.H.size(), 2u);
  for (size_t n = 0; n < 2; ++n) {
    EXPECT_EQ((r1.H[n] - r2.H[n]).norm(), 0.0);  // bit-identical, as MPI ranks need
    EXPECT_GT((r1.H[n] - r3.H[n]).norm(), 0.0);
  }
  auto other = config(Fading::Rician);
  other.seed = 12;
  EXPECT_GT((ChannelModel(other).realization(42).H[0] - r1.H[0]).norm(), 0.0);
  EXPECT_EQ(r1.noise_power_w, config(Fading::Rician).noise_power_w());
}

TEST(ChannelModel, UlaSteeringIsUnitModulusWithHalfWavelengthPhase) {
  const auto a = ula_steering(5, 0.3);
  for (int m = 0; m < 5; ++m) {
    EXPECT_NEAR(std::abs(a(m)), 1.0, 1e-15);
    EXPECT_NEAR(std::arg(a(m) * std::conj(a(0)) * std::polar(1.0, -std::numbers::pi * m * std::sin(0.3))), 0.0, 1e-12);
  }
}

// Mean path gain E|h_ij|^2 = g_n and, per entry, K = |E h|^2 / Var h.
void check_statistics(Fading fading, double expected_k) {
  const auto cfg = config(fading);
  const ChannelModel model(cfg);
  const int blocks = 4000;
  const int M = cfg.n_rx_antennas, K = cfg.n_tx_antennas;
  for (int n = 0; n < 2; ++n) {
    Eigen::MatrixXcd sum = Eigen::MatrixXcd::Zero(M, K);
    Eigen::MatrixXd sum2 = Eigen::MatrixXd::Zero(M, K);
    for (int b = 0; b < blocks; ++b) {
      const auto H = model.realization(b).H[n];
      sum += H;
      sum2 += H.cwiseAbs2();
    }
    const double g = cfg.path_gain(n);
    const double power = sum2.sum() / (blocks * M * K);
    EXPECT_NEAR(power / g, 1.0, 0.02) << "device " << n;
    const Eigen::MatrixXcd mean = sum / double(blocks);
    const double los = mean.cwiseAbs2().sum() / (M * K);
    const double k_hat = los / (power - los);
    EXPECT_NEAR(k_hat, expected_k, 0.05 + 0.05 * expected_k) << "device " << n;
    if (fading == Fading::Rician) {
      // The LoS part is the rank-one ULA product: |mean| the same for every entry.
      const double expected_abs = std::sqrt(g * expected_k / (expected_k + 1));
      EXPECT_NEAR(mean.cwiseAbs().maxCoeff() / expected_abs, 1.0, 0.07);
      EXPECT_NEAR(mean.cwiseAbs().minCoeff() / expected_abs, 1.0, 0.07);
    }
  }
}

TEST(ChannelModel, RicianStatisticsMatchConfig) { check_statistics(Fading::Rician, std::pow(10.0, 0.3)); }
TEST(ChannelModel, RayleighStatisticsMatchConfig) { check_statistics(Fading::Rayleigh, 0.0); }

}  // namespace
}  // namespace airtp
