#include "wireless/wireless_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "wireless/rng.h"

namespace airtp {

Fading parse_fading(const std::string& name) {
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "rician") return Fading::Rician;
  if (s == "rayleigh") return Fading::Rayleigh;
  throw std::invalid_argument(fmt::format("fading: unknown model '{}' (allowed: rician, rayleigh)", name));
}

std::string to_string(Fading f) { return f == Fading::Rician ? "rician" : "rayleigh"; }

double dbm_to_watt(double dbm) { return std::pow(10.0, (dbm - 30.0) / 10.0); }
double watt_to_dbm(double watt) { return 10.0 * std::log10(watt) + 30.0; }
double db_to_linear(double db) { return std::pow(10.0, db / 10.0); }

namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("wireless config: " + what);
}

void check_finite(double v, const char* name) {
  if (!std::isfinite(v)) bad(fmt::format("{} = {} must be finite", name, v));
}

}  // namespace

void WirelessConfig::validate() const {
  if (n_rx_antennas < 1 || n_rx_antennas > kMaxRxAntennas)
    bad(fmt::format("n_rx_antennas (M) = {} is outside 1..{}", n_rx_antennas, kMaxRxAntennas));
  if (n_tx_antennas < 1 || n_tx_antennas > kMaxTxAntennas)
    bad(fmt::format("n_tx_antennas (K) = {} is outside 1..{}", n_tx_antennas, kMaxTxAntennas));
  if (n_streams < 1 || n_streams > kMaxStreams)
    bad(fmt::format("n_streams (L) = {} is outside 1..{}", n_streams, kMaxStreams));
  if (n_devices() * n_streams > kMaxDeviceStreams)
    bad(fmt::format("{} devices x {} streams = {} is more than {} (devices x n_streams (L))", n_devices(), n_streams,
                    n_devices() * n_streams, kMaxDeviceStreams));
  if (n_streams > n_tx_antennas)
    bad(fmt::format("n_streams (L) = {} must be <= n_tx_antennas (K) = {}", n_streams, n_tx_antennas));
  if (n_streams > n_rx_antennas)
    bad(fmt::format("n_streams (L) = {} must be <= n_rx_antennas (M) = {}", n_streams, n_rx_antennas));
  check_finite(bandwidth_hz, "bandwidth_hz");
  if (bandwidth_hz <= 0) bad(fmt::format("bandwidth_hz = {} must be > 0", bandwidth_hz));
  check_finite(noise_psd_dbm_hz, "noise_psd_dbm_hz");
  check_finite(noise_figure_db, "noise_figure_db");
  if (noise_figure_db < 0) bad(fmt::format("noise_figure_db = {} must be >= 0", noise_figure_db));
  check_finite(rician_k_db, "rician_k_db");
  check_finite(path_loss_intercept_db, "path_loss_intercept_db");
  check_finite(path_loss_slope_db, "path_loss_slope_db");
  if (path_loss_slope_db < 0)
    bad(fmt::format("path_loss_slope_db = {} must be >= 0", path_loss_slope_db));
  check_finite(server_tx_power_dbm, "server_tx_power_dbm");
  if (distances_m.empty()) bad("distances_m is empty: need one distance per device (>= 1 device)");
  for (size_t n = 0; n < distances_m.size(); ++n)
    if (!std::isfinite(distances_m[n]) || distances_m[n] <= 0)
      bad(fmt::format("distances_m[{}] = {} must be a finite distance > 0 m", n, distances_m[n]));
  if (tx_power_dbm.size() != distances_m.size())
    bad(fmt::format("tx_power_dbm has {} entries, distances_m has {}: need one per device",
                    tx_power_dbm.size(), distances_m.size()));
  for (size_t n = 0; n < tx_power_dbm.size(); ++n)
    if (!std::isfinite(tx_power_dbm[n]))
      bad(fmt::format("tx_power_dbm[{}] = {} must be finite (a power of 0 W is -inf dBm: "
                      "remove the device instead)", n, tx_power_dbm[n]));
}

double WirelessConfig::noise_power_w(double band_hz) const {
  if (!(band_hz > 0)) bad(fmt::format("noise bandwidth = {} Hz must be > 0", band_hz));
  return dbm_to_watt(noise_psd_dbm_hz + noise_figure_db) * band_hz;
}

double WirelessConfig::path_loss_db(int device) const {
  if (device < 0 || device >= n_devices())
    bad(fmt::format("device {} out of range [0, {})", device, n_devices()));
  return path_loss_intercept_db + path_loss_slope_db * std::log10(distances_m[device] / 1000.0);
}

double WirelessConfig::path_gain(int device) const {
  return std::pow(10.0, -path_loss_db(device) / 10.0);
}

double WirelessConfig::tx_power_w(int device) const {
  if (device < 0 || device >= static_cast<int>(tx_power_dbm.size()))
    bad(fmt::format("device {} out of range [0, {})", device, tx_power_dbm.size()));
  return dbm_to_watt(tx_power_dbm[device]);
}

double WirelessConfig::server_tx_power_w() const { return dbm_to_watt(server_tx_power_dbm); }

WirelessConfig default_wireless_config(int n_devices, uint64_t seed, double tx_power_dbm,
                                       double min_distance_m, double max_distance_m) {
  if (n_devices < 1) bad(fmt::format("n_devices = {} must be >= 1", n_devices));
  if (!(min_distance_m > 0) || !(max_distance_m >= min_distance_m) || !std::isfinite(max_distance_m))
    bad(fmt::format("device distance range [{}, {}] m must satisfy 0 < min <= max < inf",
                    min_distance_m, max_distance_m));
  WirelessConfig c;
  c.seed = seed;
  // Placement uses its own stream (key 1) so it does not shift when channels are drawn.
  WirelessRng rng({seed, 1});
  for (int n = 0; n < n_devices; ++n) {
    c.distances_m.push_back(rng.uniform(min_distance_m, max_distance_m));
    c.tx_power_dbm.push_back(tx_power_dbm);
  }
  c.validate();
  return c;
}

}  // namespace airtp
