#include "wireless/channel.h"

#include <cmath>
#include <numbers>

#include "wireless/rng.h"

namespace airtp {
namespace {
// Stream keys: (seed, kind, ...) so angles, placement and per-block fading never overlap.
constexpr uint64_t kAnglesStream = 2;
constexpr uint64_t kBlockStream = 3;
}  // namespace

Eigen::VectorXcd ula_steering(int n_antennas, double angle_rad) {
  Eigen::VectorXcd a(n_antennas);
  const double phase = std::numbers::pi * std::sin(angle_rad);
  for (int m = 0; m < n_antennas; ++m) a(m) = std::polar(1.0, phase * m);
  return a;
}

ChannelModel::ChannelModel(WirelessConfig config) : config_(std::move(config)) {
  config_.validate();
  const int N = config_.n_devices();
  WirelessRng rng({config_.seed, kAnglesStream});
  for (int n = 0; n < N; ++n) {
    arrival_.push_back(rng.uniform(-std::numbers::pi / 2, std::numbers::pi / 2));
    departure_.push_back(rng.uniform(-std::numbers::pi / 2, std::numbers::pi / 2));
    los_.push_back(ula_steering(config_.n_rx_antennas, arrival_[n]) *
                   ula_steering(config_.n_tx_antennas, departure_[n]).adjoint());
  }
}

ChannelRealization ChannelModel::realization(uint64_t block_index) const {
  const int N = n_devices(), M = config_.n_rx_antennas, K = config_.n_tx_antennas;
  double los_w = 0, nlos_w = 1;
  if (config_.fading == Fading::Rician) {
    const double k = db_to_linear(config_.rician_k_db);
    los_w = std::sqrt(k / (k + 1));
    nlos_w = std::sqrt(1 / (k + 1));
  }
  ChannelRealization r;
  r.block_index = block_index;
  r.noise_power_w = config_.noise_power_w();
  r.H.reserve(N);
  for (int n = 0; n < N; ++n) {
    WirelessRng rng({config_.seed, kBlockStream, block_index, static_cast<uint64_t>(n)});
    Eigen::MatrixXcd W(M, K);
    for (int j = 0; j < K; ++j)
      for (int i = 0; i < M; ++i) W(i, j) = rng.complex_normal();
    r.H.push_back(std::sqrt(config_.path_gain(n)) * (los_w * los_[n] + nlos_w * W));
  }
  return r;
}

}  // namespace airtp
