#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "experiments/latency_devices/latency_devices.h"
#include "runtime/bench.h"
#include "runtime/session.h"

namespace airtp {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 1-minute load average of this machine (-1 if unknown): timing measurements on a busy machine
// are slower than on an idle one, so the result records it.
double load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return -1;
  double v = -1;
  if (std::fscanf(f, "%lf", &v) != 1) v = -1;
  std::fclose(f);
  return v;
}
}  // namespace

DeviceProfile calibrated_device(const ModelShape& model, double seconds_per_token, double memory_bytes) {
  if (!(seconds_per_token > 0) || !std::isfinite(seconds_per_token))
    throw std::invalid_argument(fmt::format("calibration: {} s/token must be > 0", seconds_per_token));
  DeviceProfile d;
  d.name = "calibrated";
  d.memory_bytes = memory_bytes;
  return apply_calibration(d, calibrate_decode(model, seconds_per_token));
}

std::vector<std::pair<int, double>> paper_table1(const std::string& model) {
  // paper.md 5.3, [C] Table I via [S1] (unverified secondary source).
  static const std::map<std::string, std::vector<std::pair<int, double>>> table = {
      {"llama2-7b", {{1, 114.2}, {2, 69.7}, {4, 45.7}, {8, 37.8}}},
      {"llama2-13b", {{1, 217.3}, {2, 128.5}, {4, 81.3}, {8, 66.4}}},
      {"llama2-70b", {{1, kNaN}, {2, 660.9}, {4, 423.0}, {8, 354.2}}},
      {"llama3-70b", {{1, kNaN}, {2, 746.8}, {4, 477.1}, {8, 406.0}}},
  };
  const auto it = table.find(model);
  return it == table.end() ? std::vector<std::pair<int, double>>{} : it->second;
}

Scenario latency_scenario(const ModelShape& model, const DeviceProfile& device, const LatencySweepParams& p, int n) {
  if (n < 1 || n > 8) throw std::invalid_argument(fmt::format("latency sweep: {} devices is outside 1..8", n));
  Scenario s = scenario_preset(fmt::format("paper-homogeneous-{}", n));
  for (auto& d : s.devices) {
    const double distance = d.distance_m;
    d = device;
    d.distance_m = distance;
    d.tx_power_w = dbm_to_watt(p.tx_power_dbm);
  }
  s.set_model(model);
  s.link.radio.bandwidth_hz = p.bandwidth_mhz * 1e6;
  s.link.radio.seed = p.seed;
  s.link.wire.bps = p.ethernet_gbps * 1e9;
  s.link.air.broadcast = p.broadcast;
  s.link.air.sync_overhead_s = p.sync_overhead_us * 1e-6;
  s.scheme_options["digital"] = {{"bits", p.digital_bits}};
  return s;
}

std::vector<LatencyRow> latency_sweep(const ModelShape& model, const DeviceProfile& device,
                                      const LatencySweepParams& p) {
  std::vector<LatencyRow> rows;
  for (int n : p.devices) {
    const Scenario s = latency_scenario(model, device, p, n);
    const std::vector<double> shares(static_cast<size_t>(n), 1.0 / n);
    const bool fits = model.weight_bytes(1.0 / n) <= device.memory_bytes;
    for (const auto& scheme : p.schemes)
      rows.push_back({model.name, n, scheme, fits, decode_latency(model, s.devices, shares, s.priced_link(scheme))});
  }
  return rows;
}

BundledMeasurement measure_bundled(const std::string& model_path, const BenchSettings& b,
                                   const std::vector<int>& devices, const ExperimentProgress& progress,
                                   double progress_share) {
  BundledMeasurement m;
  m.path = model_path;
  const auto model = std::make_shared<const Model>(load_model(model_path));
  m.shape = model_shape_of(*model);
  RunConfig rc;
  rc.threads = b.threads;
  BenchOptions bo;
  bo.prompt_tokens = b.prompt_tokens;
  bo.gen_tokens = b.gen_tokens;
  bo.repetitions = b.repetitions;
  const int steps = 1 + (b.measure_split ? static_cast<int>(devices.size()) : 0);
  m.load_before = load_average();
  int step = 0;
  auto tick = [&](const std::string& what) {
    if (progress) progress(progress_share * step / steps, what);
  };
  tick("bench 1 device");
  if (b.given_ms_per_token > 0) {
    m.s_per_token = b.given_ms_per_token * 1e-3;
    m.given = true;
  } else {
    Session s(model, rc);
    // The fastest repetition: on a machine shared with other work, the least disturbed one.
    m.s_per_token = 1.0 / run_bench(s, bo).decode_tps.max;
  }
  ++step;
  if (b.measure_split)
    for (int n : devices) {
      tick(fmt::format("bench {} devices", n));
      rc.devices = n;
      Session s(model, rc);
      m.split_ms[n] = 1e3 / run_bench(s, bo).decode_simulated_tps.max;
      ++step;
    }
  m.load_after = load_average();
  return m;
}

}  // namespace airtp
