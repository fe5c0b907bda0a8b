// Digital link rates against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "wireless/channel.h"
#include "wireless/rate.h"

namespace airtp {
namespace {

TEST(Rate, SisoShannon) {
  Eigen::MatrixXcd h(1, 1);
  h(0, 0) = std::complex<double>(3e-5, -4e-5);  // |h|^2 = 2.5e-9
  const double P = 0.2, N0 = 1e-12, B = 2e6;
  EXPECT_NEAR(mimo_rate_bps(h, P, N0, B), B * std::log2(1 + P * 2.5e-9 / N0), 1e-6);
  EXPECT_DOUBLE_EQ(mimo_rate_bps(h, 0.0, N0, B), 0.0);
}

TEST(Rate, ParallelChannelsSplitPowerEqually) {
  // H with orthogonal columns of gains s_k^2: log2 det = sum_k log2(1 + P/(K N0) s_k^2).
  Eigen::MatrixXcd H = Eigen::MatrixXcd::Zero(3, 2);
  H(0, 0) = 2.0;
  H(2, 1) = std::complex<double>(0, 0.5);
  const double P = 4, N0 = 1, B = 1;
  const double expected = std::log2(1 + 2.0 * 4.0) + std::log2(1 + 2.0 * 0.25);
  EXPECT_NEAR(mimo_rate_bps(H, P, N0, B), expected, 1e-12);
}

TEST(Rate, OfdmaAndBroadcastFollowTheConfig) {
  WirelessConfig c;
  c.n_rx_antennas = c.n_tx_antennas = c.n_streams = 1;
  c.distances_m = {30, 60};
  c.tx_power_dbm = {20, 10};
  c.server_tx_power_dbm = 30;
  std::vector<Eigen::MatrixXcd> H(2, Eigen::MatrixXcd::Zero(1, 1));
  H[0](0, 0) = 1e-4;
  H[1](0, 0) = std::complex<double>(0, 2e-5);
  const auto rates = ofdma_uplink_rates_bps(H, c);
  const double sub = c.bandwidth_hz / 2, noise_sub = c.noise_power_w(sub);
  EXPECT_NEAR(rates[0], sub * std::log2(1 + 0.1 * 1e-8 / noise_sub), 1e-3);
  EXPECT_NEAR(rates[1], sub * std::log2(1 + 0.01 * 4e-10 / noise_sub), 1e-3);
  const double bits = 8 * 4096;
  EXPECT_NEAR(ofdma_uplink_time_s(bits, H, c), bits / rates[1], 1e-15);
  const double bc = broadcast_rate_bps(H, c);
  EXPECT_NEAR(bc, c.bandwidth_hz * std::log2(1 + 1.0 * 4e-10 / c.noise_power_w()), 1e-3);
  EXPECT_NEAR(transfer_time_s(1e6, 2e6), 0.5, 1e-15);
}

TEST(Rate, RejectsBadInput) {
  Eigen::MatrixXcd h = Eigen::MatrixXcd::Ones(2, 2);
  EXPECT_THROW(mimo_rate_bps(h, 1, 0, 1), std::invalid_argument);
  EXPECT_THROW(mimo_rate_bps(h, -1, 1, 1), std::invalid_argument);
  EXPECT_THROW(mimo_rate_bps(h, 1, 1, 0), std::invalid_argument);
  EXPECT_THROW(mimo_rate_bps(Eigen::MatrixXcd(), 1, 1, 1), std::invalid_argument);
  h(0, 0) = NAN;
  EXPECT_THROW(mimo_rate_bps(h, 1, 1, 1), std::invalid_argument);
  EXPECT_THROW(transfer_time_s(8, 0), std::invalid_argument);
  EXPECT_THROW(transfer_time_s(-1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
