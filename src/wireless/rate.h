// Digital links, used by the digital all-reduce baseline and for the downlink broadcast:
// Gaussian-codebook MIMO capacity with equal power over the transmit antennas (no CSI at
// the transmitter), i.e. the Shannon rate the paper's digital baseline assumes.
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "wireless/wireless_config.h"

namespace airtp {

// bandwidth_hz * log2 det(I_K + P/(K sigma^2) H^H H) in bit/s, for an M x K channel H
// (K transmit antennas), total power P (W) and receiver noise power sigma^2 (W) measured over
// the same bandwidth. Throws std::invalid_argument on non-positive bandwidth/noise, negative
// power, empty or non-finite H.
double mimo_rate_bps(const Eigen::MatrixXcd& H, double tx_power_w, double noise_power_w,
                     double bandwidth_hz);

// OFDMA uplink: device n gets B/N of the band, noise integrated over B/N, its full power
// budget config.tx_power_w(n). Returns R_n in bit/s, one per device.
std::vector<double> ofdma_uplink_rates_bps(const std::vector<Eigen::MatrixXcd>& H,
                                           const WirelessConfig& config);

// Downlink broadcast of one common message from the server (M antennas, power
// config.server_tx_power_w(), whole band B) to all devices over the reciprocal channels
// H_n^H (K x M): the rate every device can decode = min_n B log2 det(I_K + P_s/(M sigma^2)
// H_n^H H_n), with the devices' noise figure equal to the server's.
double broadcast_rate_bps(const std::vector<Eigen::MatrixXcd>& H, const WirelessConfig& config);

// Seconds to move `bits` at `rate_bps` (bits / rate). rate <= 0 or non-finite throws.
double transfer_time_s(double bits, double rate_bps);

// Time of the slowest device to send `bits_per_device` each over OFDMA: max_n bits / R_n.
double ofdma_uplink_time_s(double bits_per_device, const std::vector<Eigen::MatrixXcd>& H,
                           const WirelessConfig& config);

}  // namespace airtp
