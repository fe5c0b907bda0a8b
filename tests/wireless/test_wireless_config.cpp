// Scenario validation and the large-scale quantities against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "../expect_invalid.h"
#include "wireless/wireless_config.h"

namespace airtp {
namespace {

WirelessConfig two_devices() {
  WirelessConfig c;
  c.distances_m = {10, 100};
  c.tx_power_dbm = {20, 20};
  return c;
}

using test::expect_invalid;

TEST(WirelessConfig, DefaultsAreValid) {
  EXPECT_NO_THROW(two_devices().validate());
  const auto c = default_wireless_config(8, 3);
  EXPECT_EQ(c.n_devices(), 8);
  for (double d : c.distances_m) {
    EXPECT_GE(d, 10.0);
    EXPECT_LT(d, 100.0);
  }
  EXPECT_EQ(c.n_rx_antennas, 20);
  EXPECT_EQ(c.n_tx_antennas, 4);
  EXPECT_EQ(c.n_streams, 4);
}

TEST(WirelessConfig, RejectsBadParametersByName) {
  auto with = [](auto edit) {
    auto c = two_devices();
    edit(c);
    return [c] { c.validate(); };
  };
  expect_invalid(with([](WirelessConfig& c) { c.n_rx_antennas = 0; }), "n_rx_antennas");
  expect_invalid(with([](WirelessConfig& c) { c.n_tx_antennas = 0; }), "n_tx_antennas");
  expect_invalid(with([](WirelessConfig& c) { c.n_streams = 0; }), "n_streams");
  expect_invalid(with([](WirelessConfig& c) { c.n_streams = 5; }), "<= n_tx_antennas");
  expect_invalid(with([](WirelessConfig& c) { c.n_rx_antennas = 3; }), "<= n_rx_antennas");
  expect_invalid(with([](WirelessConfig& c) { c.bandwidth_hz = 0; }), "bandwidth_hz");
  expect_invalid(with([](WirelessConfig& c) { c.noise_figure_db = -1; }), "noise_figure_db");
  expect_invalid(with([](WirelessConfig& c) { c.distances_m.clear(); c.tx_power_dbm.clear(); }),
                 "distances_m is empty");
  expect_invalid(with([](WirelessConfig& c) { c.distances_m[1] = 0; }), "distances_m[1]");
  expect_invalid(with([](WirelessConfig& c) { c.distances_m[0] = -5; }), "distances_m[0]");
  expect_invalid(with([](WirelessConfig& c) { c.tx_power_dbm.pop_back(); }), "tx_power_dbm has 1");
  expect_invalid(with([](WirelessConfig& c) { c.tx_power_dbm[0] = -INFINITY; }), "tx_power_dbm[0]");
  expect_invalid(with([](WirelessConfig& c) { c.tx_power_dbm[1] = NAN; }), "tx_power_dbm[1]");
  expect_invalid(with([](WirelessConfig& c) { c.path_loss_slope_db = NAN; }), "path_loss_slope_db");
  expect_invalid([] { default_wireless_config(0); }, "n_devices");
  expect_invalid([] { parse_fading("ricean-ish"); }, "rician, rayleigh");
}

TEST(WirelessConfig, LargeScaleQuantitiesMatchHandComputation) {
  const auto c = two_devices();
  // -174 dBm/Hz + 10 dB NF + 70 dB(10 MHz) = -94 dBm.
  EXPECT_NEAR(c.noise_power_w(), std::pow(10.0, (-94.0 - 30.0) / 10.0), 1e-25);
  EXPECT_NEAR(c.noise_power_w(1e6), std::pow(10.0, (-104.0 - 30.0) / 10.0), 1e-25);
  // PL(100 m) = 128.1 + 37.6 log10(0.1) = 90.5 dB; PL(10 m) = 52.9 dB.
  EXPECT_NEAR(c.path_loss_db(1), 90.5, 1e-12);
  EXPECT_NEAR(c.path_loss_db(0), 52.9, 1e-12);
  EXPECT_NEAR(c.path_gain(1), std::pow(10.0, -9.05), 1e-22);
  EXPECT_NEAR(c.tx_power_w(0), 0.1, 1e-15);
  EXPECT_NEAR(c.server_tx_power_w(), 1.0, 1e-15);
  EXPECT_NEAR(watt_to_dbm(dbm_to_watt(13.0)), 13.0, 1e-12);
  EXPECT_EQ(parse_fading("Rayleigh"), Fading::Rayleigh);
}

}  // namespace
}  // namespace airtp
