// Block-fading MIMO channels of N devices to the M-antenna server. One realization per
// coherence block; realization(b) depends only on (config.seed, b), so any process can
// regenerate the channel of any block without communication.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "wireless/wireless_config.h"

namespace airtp {

struct ChannelRealization {
  uint64_t block_index = 0;
  // H[n] is M x K (receive x transmit antennas), large-scale path gain included:
  // H_n = sqrt(g_n) * ( sqrt(k/(k+1)) a_rx(theta_n) a_tx(phi_n)^H + sqrt(1/(k+1)) W_n ),
  // W_n i.i.d. CN(0,1); Rayleigh: k = 0. So E|[H_n]_ij|^2 = g_n.
  std::vector<Eigen::MatrixXcd> H;
  double noise_power_w = 0;  // sigma^2 per receive antenna over the whole band (AirComp)
};

class ChannelModel {
 public:
  // Validates the config (throws std::invalid_argument). N = config.n_devices().
  explicit ChannelModel(WirelessConfig config);

  ChannelRealization realization(uint64_t block_index) const;

  const WirelessConfig& config() const { return config_; }
  int n_devices() const { return config_.n_devices(); }
  // Angles (radians, uniform in [-pi/2, pi/2)) of device n's LoS path at the server (arrival)
  // and at the device (departure); fixed for the session (drawn from the seed only).
  double los_arrival_rad(int device) const { return arrival_[device]; }
  double los_departure_rad(int device) const { return departure_[device]; }

 private:
  WirelessConfig config_;
  std::vector<double> arrival_, departure_;
  std::vector<Eigen::MatrixXcd> los_;  // unit-modulus LoS matrices a_rx a_tx^H
};

// Half-wavelength uniform linear array response: [exp(j*pi*m*sin(angle))]_{m=0..n-1}.
Eigen::VectorXcd ula_steering(int n_antennas, double angle_rad);

}  // namespace airtp
