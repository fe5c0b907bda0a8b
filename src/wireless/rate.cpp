#include "wireless/rate.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace airtp {
namespace {

void check_channel(const Eigen::MatrixXcd& H, const char* where) {
  if (H.size() == 0) throw std::invalid_argument(fmt::format("{}: empty channel matrix", where));
  if (!H.allFinite())
    throw std::invalid_argument(fmt::format("{}: channel matrix has NaN/inf entries", where));
}

}  // namespace

double mimo_rate_bps(const Eigen::MatrixXcd& H, double tx_power_w, double noise_power_w,
                     double bandwidth_hz) {
  check_channel(H, "mimo_rate_bps");
  if (!(bandwidth_hz > 0) || !std::isfinite(bandwidth_hz))
    throw std::invalid_argument(fmt::format("mimo_rate_bps: bandwidth {} Hz must be > 0", bandwidth_hz));
  if (!(noise_power_w > 0) || !std::isfinite(noise_power_w))
    throw std::invalid_argument(fmt::format("mimo_rate_bps: noise power {} W must be > 0", noise_power_w));
  if (!(tx_power_w >= 0) || !std::isfinite(tx_power_w))
    throw std::invalid_argument(fmt::format("mimo_rate_bps: tx power {} W must be >= 0", tx_power_w));
  const auto K = H.cols();
  const double snr = tx_power_w / (static_cast<double>(K) * noise_power_w);
  Eigen::MatrixXcd G = Eigen::MatrixXcd::Identity(K, K) + snr * (H.adjoint() * H);
  // I + PSD is Hermitian positive definite: log det = 2 sum log diag(chol).
  Eigen::LLT<Eigen::MatrixXcd> llt(G);
  if (llt.info() != Eigen::Success)
    throw std::runtime_error("mimo_rate_bps: Cholesky of I + snr H^H H failed");
  double log2det = 0;
  for (Eigen::Index i = 0; i < K; ++i) log2det += 2.0 * std::log2(std::real(llt.matrixL()(i, i)));
  return bandwidth_hz * log2det;
}

std::vector<double> ofdma_uplink_rates_bps(const std::vector<Eigen::MatrixXcd>& H,
                                           const WirelessConfig& config) {
  config.validate();
  if (static_cast<int>(H.size()) != config.n_devices())
    throw std::invalid_argument(fmt::format("ofdma_uplink_rates_bps: {} channels for {} devices",
                                            H.size(), config.n_devices()));
  const double sub_band = config.bandwidth_hz / static_cast<double>(H.size());
  const double noise = config.noise_power_w(sub_band);
  std::vector<double> rates;
  for (size_t n = 0; n < H.size(); ++n)
    rates.push_back(mimo_rate_bps(H[n], config.tx_power_w(static_cast<int>(n)), noise, sub_band));
  return rates;
}

double broadcast_rate_bps(const std::vector<Eigen::MatrixXcd>& H, const WirelessConfig& config) {
  config.validate();
  if (H.empty()) throw std::invalid_argument("broadcast_rate_bps: no devices");
  const double noise = config.noise_power_w();
  double rate = std::numeric_limits<double>::infinity();
  for (const auto& h : H) {
    Eigen::MatrixXcd downlink = h.adjoint();  // K x M: server antennas transmit
    rate = std::min(rate, mimo_rate_bps(downlink, config.server_tx_power_w(), noise, config.bandwidth_hz));
  }
  return rate;
}

double transfer_time_s(double bits, double rate_bps) {
  if (!(bits >= 0) || !std::isfinite(bits))
    throw std::invalid_argument(fmt::format("transfer_time_s: payload {} bits must be >= 0", bits));
  if (!(rate_bps > 0) || !std::isfinite(rate_bps))
    throw std::invalid_argument(fmt::format("transfer_time_s: rate {} bit/s must be finite and > 0", rate_bps));
  return bits / rate_bps;
}

double ofdma_uplink_time_s(double bits_per_device, const std::vector<Eigen::MatrixXcd>& H,
                           const WirelessConfig& config) {
  double t = 0;
  for (double r : ofdma_uplink_rates_bps(H, config)) t = std::max(t, transfer_time_s(bits_per_device, r));
  return t;
}

}  // namespace airtp
