// The radio scenario of one run: antennas, streams, band, noise, fading, path loss, device
// placement and power budgets. Defaults are airtp's choices where the paper is silent
// (paper.md §5.4 [D]); see docs/wireless-model.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace airtp {

enum class Fading { Rician, Rayleigh };

// The largest systems airtp simulates, the same for the flags, scenario files and experiments:
// the transceiver design's cost grows steeply with them (an AirComp design at M = 400 receive
// antennas took 13 s per token), so beyond these a run looks hung rather than slow.
inline constexpr int kMaxDevices = 64;
inline constexpr int kMaxRxAntennas = 64;
inline constexpr int kMaxTxAntennas = 16;
// The SDR design grows fastest with the streams and the devices: one design took 2.7 s at
// N = 16, L = 8, 17.5 s at N = 32, L = 8 and 19.5 s at N = 8, L = 16 (M = 64, on 2 cores).
inline constexpr int kMaxStreams = 8;
inline constexpr int kMaxDeviceStreams = 256;  // N x L

// "rician" | "rayleigh" (case-insensitive); throws std::invalid_argument otherwise.
Fading parse_fading(const std::string& name);
std::string to_string(Fading f);

struct WirelessConfig {
  int n_rx_antennas = 20;  // M: antennas at the edge server (the AirComp receiver)
  int n_tx_antennas = 4;   // K: antennas per device
  int n_streams = 4;       // L <= min(K, M): complex symbols per device per channel use

  double bandwidth_hz = 10e6;        // B: AirComp uses all of it; OFDMA gives each device B/N
  double noise_psd_dbm_hz = -174.0;  // thermal noise density
  double noise_figure_db = 10.0;

  Fading fading = Fading::Rician;
  double rician_k_db = 3.0;  // LoS-to-scattered power ratio; ignored for Rayleigh

  // PL(dB) = path_loss_intercept_db + path_loss_slope_db * log10(d / 1 km).
  double path_loss_intercept_db = 128.1;
  double path_loss_slope_db = 37.6;

  std::vector<double> distances_m;    // one per device (defines the number of devices N)
  std::vector<double> tx_power_dbm;   // one per device: transmit power budget per channel use
  double server_tx_power_dbm = 30.0;  // downlink broadcast power of the server ([D])

  uint64_t seed = 1;  // channels, LoS angles: everything random derives from it

  int n_devices() const { return static_cast<int>(distances_m.size()); }

  // Throws std::invalid_argument naming the parameter, its value and the allowed range.
  void validate() const;

  // Receiver noise power in watts over `band_hz` (PSD + NF, integrated over the band).
  double noise_power_w(double band_hz) const;
  double noise_power_w() const { return noise_power_w(bandwidth_hz); }
  // Large-scale gain of device n (linear, < 1): 10^(-PL(d_n)/10).
  double path_gain(int device) const;
  double path_loss_db(int device) const;
  double tx_power_w(int device) const;
  double server_tx_power_w() const;
};

// The paper-default scenario [D]: M=20, K=L=4, Rician 3 dB, N devices placed uniformly at
// random in [min_distance_m, max_distance_m] (drawn from `seed`), tx_power_dbm each.
WirelessConfig default_wireless_config(int n_devices, uint64_t seed = 1, double tx_power_dbm = 20.0,
                                       double min_distance_m = 10.0, double max_distance_m = 100.0);

double dbm_to_watt(double dbm);
double watt_to_dbm(double watt);
double db_to_linear(double db);

}  // namespace airtp
