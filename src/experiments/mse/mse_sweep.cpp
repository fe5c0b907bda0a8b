#include "experiments/mse/mse_experiments.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "comm/codec/block_quantizer.h"
#include "wireless/wireless_config.h"

namespace airtp {

using nlohmann::json;

double aircomp_nmse(double mse, int devices, int streams) {
  return mse / (static_cast<double>(devices) * static_cast<double>(streams));
}

double digital_quantization_nmse(int bits, int values) {
  if (values < 32) throw std::invalid_argument("digital_quantization_nmse: need at least 32 values");
  const BlockQuantizer q{bits, 32};
  q.validate();
  std::mt19937_64 rng(12345);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(values));
  for (auto& v : x) v = normal(rng);
  std::vector<float> y = x;
  q.round_trip(y);
  double err = 0, ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (static_cast<double>(y[i]) - x[i]) * (static_cast<double>(y[i]) - x[i]);
    ref += static_cast<double>(x[i]) * x[i];
  }
  return err / ref;
}

const char* mse_axis_column(MseAxis a) {
  switch (a) {
    case MseAxis::TxPower: return "tx_power_dbm";
    case MseAxis::RxAntennas: return "rx_antennas";
    case MseAxis::Devices: return "devices";
  }
  return "?";
}

namespace {

// Relative cost of a point, for the progress bar: the SDP is O(M^3) per iteration and has N LMIs.
double point_cost(int M, int N) { return std::pow(M / 20.0, 2.5) * (0.5 + N / 8.0); }

}  // namespace

MseSweepResult run_mse_sweep(const MseSweepParams& p, const ExperimentProgress& progress) {
  if (p.values.empty()) throw std::invalid_argument("MSE sweep: no values to sweep");
  if (p.methods.empty()) throw std::invalid_argument("MSE sweep: no transceiver method");
  if (p.realizations < 1) throw std::invalid_argument("MSE sweep: realizations must be >= 1");
  MseSweepResult r;
  std::vector<WirelessConfig> configs;
  std::vector<double> cost;
  for (double x : p.values) {
    int N = p.devices, M = p.rx_antennas;
    double dbm = p.tx_power_dbm;
    switch (p.axis) {
      case MseAxis::TxPower: dbm = x; break;
      case MseAxis::RxAntennas: M = static_cast<int>(std::lround(x)); break;
      case MseAxis::Devices: N = static_cast<int>(std::lround(x)); break;
    }
    if (p.axis != MseAxis::TxPower && std::abs(x - std::round(x)) > 1e-9)
      throw std::invalid_argument(fmt::format("MSE sweep: {} = {} must be an integer", mse_axis_column(p.axis), x));
    WirelessConfig w = default_wireless_config(N, p.seed, dbm);
    w.n_rx_antennas = M;
    w.n_tx_antennas = p.tx_antennas;
    w.n_streams = p.streams;
    w.validate();  // names the parameter when e.g. L > M
    configs.push_back(w);
    cost.push_back(point_cost(M, N) * p.realizations);
    r.points.push_back(MsePoint{.x = x, .devices = N, .rx_antennas = M, .tx_power_dbm = dbm, .study = {}});
  }
  const double total = std::accumulate(cost.begin(), cost.end(), 0.0);
  double done = 0;
  TransceiverOptions to;
  to.n_randomizations = p.randomizations;
  to.seed = p.seed;
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string status = fmt::format("{} = {:g}", mse_axis_column(p.axis), p.values[i]);
    r.points[i].study = run_transceiver_study(configs[i], p.methods, p.realizations, to, [&](int k, int n) {
      if (progress) progress((done + cost[i] * k / n) / total, status);
    });
    done += cost[i];
  }
  for (int b : p.digital_bits) r.digital.push_back({b, digital_quantization_nmse(b)});
  return r;
}

}  // namespace airtp
