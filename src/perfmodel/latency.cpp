#include "perfmodel/latency.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "perfmodel/scenario_error.h"

namespace airtp {

namespace {
constexpr std::array<std::pair<AllReduceScheme, std::string_view>, 6> kSchemes{{
    {AllReduceScheme::Exact, "exact"},
    {AllReduceScheme::DigitalOfdma, "digital"},
    {AllReduceScheme::EthernetMesh, "mesh"},
    {AllReduceScheme::EthernetStar, "star"},
    {AllReduceScheme::UncodedFdma, "fdma"},
    {AllReduceScheme::AirComp, "aircomp"},
}};

void check_shares(std::span<const DeviceProfile> devices, std::span<const double> shares) {
  if (devices.empty()) throw ScenarioError("latency model: no devices");
  if (shares.size() != devices.size())
    throw ScenarioError(fmt::format("latency model: {} shares for {} devices", shares.size(),
                                    devices.size()));
  double sum = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (!(std::isfinite(shares[i]) && shares[i] >= 0))
      throw ScenarioError(
          fmt::format("latency model: shares[{}] = {} must be >= 0", i, shares[i]));
    sum += shares[i];
  }
  if (std::abs(sum - 1.0) > 1e-6)
    throw ScenarioError(fmt::format("latency model: shares sum to {}, must sum to 1", sum));
}

void check_link(const CommParams& p, int n) {
  const auto& w = p.wireless;
  auto bad = [](std::string_view what, double v, std::string_view rule) {
    throw ScenarioError(fmt::format("latency model: {} = {} is invalid: must be {}", what, v,
                                    rule));
  };
  switch (p.scheme) {
    case AllReduceScheme::Exact:
      if (!(p.exact_latency_s >= 0)) bad("exact_latency_s", p.exact_latency_s, ">= 0");
      break;
    case AllReduceScheme::EthernetMesh:
    case AllReduceScheme::EthernetStar:
      if (!(p.ethernet.link_bps > 0)) bad("ethernet.link_bps", p.ethernet.link_bps, "> 0");
      if (!(p.ethernet.latency_s >= 0)) bad("ethernet.latency_s", p.ethernet.latency_s, ">= 0");
      if (!(p.ethernet.bytes_per_value > 0))
        bad("ethernet.bytes_per_value", p.ethernet.bytes_per_value, "> 0");
      break;
    case AllReduceScheme::DigitalOfdma:
      if (static_cast<int>(w.uplink_rate_bps.size()) != n)
        bad("wireless.uplink_rate_bps size", static_cast<double>(w.uplink_rate_bps.size()),
            fmt::format("the number of devices ({})", n));
      for (double r : w.uplink_rate_bps)
        if (!(r > 0)) bad("wireless.uplink_rate_bps entry", r, "> 0");
      if (!(w.uplink_bits_per_value > 0))
        bad("wireless.uplink_bits_per_value", w.uplink_bits_per_value, "> 0");
      [[fallthrough]];
    case AllReduceScheme::UncodedFdma:
    case AllReduceScheme::AirComp:
      if (!(w.bandwidth_hz > 0)) bad("wireless.bandwidth_hz", w.bandwidth_hz, "> 0");
      if (w.streams < 1) bad("wireless.streams", w.streams, ">= 1");
      if (w.reals_per_symbol != 1 && w.reals_per_symbol != 2)
        bad("wireless.reals_per_symbol", w.reals_per_symbol, "1 or 2");
      if (!(w.sync_overhead_s >= 0)) bad("wireless.sync_overhead_s", w.sync_overhead_s, ">= 0");
      if (!(w.downlink_rate_bps >= 0))
        bad("wireless.downlink_rate_bps", w.downlink_rate_bps, ">= 0 (0 = ignore broadcast)");
      if (!(w.downlink_bits_per_value > 0))
        bad("wireless.downlink_bits_per_value", w.downlink_bits_per_value, "> 0");
      break;
  }
}

// Time for one device to run its share of a step: memory traffic or arithmetic, whichever is
// slower (they overlap in a well-written kernel).
double step_time(const DeviceProfile& d, double flops, double bytes) {
  return std::max(flops / d.flops_per_s, bytes / d.mem_bandwidth_bytes_per_s);
}
}  // namespace

std::string_view scheme_name(AllReduceScheme s) {
  for (const auto& [k, name] : kSchemes)
    if (k == s) return name;
  return "?";
}

AllReduceScheme parse_scheme(std::string_view name) {
  for (const auto& [k, n] : kSchemes)
    if (n == name) return k;
  std::vector<std::string_view> names;
  for (const auto& kv : kSchemes) names.push_back(kv.second);
  throw ScenarioError(fmt::format("unknown all-reduce scheme '{}' (known: {})", name,
                                  fmt::join(names, ", ")));
}

AllReduceTime allreduce_time(const CommParams& p, int n, long long values) {
  if (n < 1) throw ScenarioError(fmt::format("latency model: {} devices, need >= 1", n));
  if (values < 0) throw ScenarioError("latency model: negative vector length");
  AllReduceTime t;
  if (n == 1 || values == 0) return t;
  check_link(p, n);
  const auto& w = p.wireless;
  const double L0 = static_cast<double>(values);
  // One complex channel use carries `streams` symbols of `reals_per_symbol` values per device.
  const double uses_per_device = std::ceil(L0 / (w.reals_per_symbol * w.streams));
  auto add_broadcast = [&] {
    if (w.downlink_rate_bps > 0) t.downlink_s = w.downlink_bits_per_value * L0 / w.downlink_rate_bps;
    t.bytes_recv_per_device = w.downlink_bits_per_value * L0 / 8;
    t.overhead_s = w.sync_overhead_s;
  };
  switch (p.scheme) {
    case AllReduceScheme::Exact:
      t.overhead_s = p.exact_latency_s;
      break;
    case AllReduceScheme::AirComp:
      t.channel_uses = uses_per_device;
      t.uplink_s = uses_per_device / w.bandwidth_hz;
      add_broadcast();
      break;
    case AllReduceScheme::UncodedFdma:
      // Each device needs the same channel uses as in AirComp, but in a 1/N-wide sub-band.
      t.channel_uses = uses_per_device * n;
      t.uplink_s = uses_per_device * n / w.bandwidth_hz;
      add_broadcast();
      break;
    case AllReduceScheme::DigitalOfdma: {
      const double bits = w.uplink_bits_per_value * L0;
      double worst = 0;
      for (double r : w.uplink_rate_bps) worst = std::max(worst, bits / r);
      t.uplink_s = worst;
      t.bytes_sent_per_device = bits / 8;
      add_broadcast();
      break;
    }
    case AllReduceScheme::EthernetMesh: {
      const double bytes = (n - 1) * L0 * p.ethernet.bytes_per_value;
      t.bytes_sent_per_device = bytes;
      t.bytes_recv_per_device = bytes;
      // Full duplex: sending and receiving overlap; the NIC serializes the N-1 copies.
      t.uplink_s = bytes * 8 / p.ethernet.link_bps;
      t.overhead_s = p.ethernet.latency_s;
      break;
    }
    case AllReduceScheme::EthernetStar: {
      const double one = L0 * p.ethernet.bytes_per_value;
      // The root's NIC is the bottleneck: N-1 partials in, then N-1 copies of the sum out.
      t.uplink_s = (n - 1) * one * 8 / p.ethernet.link_bps;
      t.downlink_s = (n - 1) * one * 8 / p.ethernet.link_bps;
      t.overhead_s = 2 * p.ethernet.latency_s;
      t.bytes_sent_per_device = (n - 1) * one;  // the root, the busiest node
      t.bytes_recv_per_device = (n - 1) * one;
      break;
    }
  }
  return t;
}

namespace {
struct StepLoad {
  double flops = 0;
  double bytes = 0;
};

TokenLatency assemble(const ModelShape& model, std::span<const DeviceProfile> devices,
                      std::span<const double> shares, const CommParams& comm,
                      const std::vector<StepLoad>& full_steps, int layer_repeats,
                      long long values_per_allreduce) {
  // full_steps: per layer [attention, mlp] for share 1, then optional extra steps (classifier)
  // run once per token. Work of device n = share_n x the full step.
  TokenLatency out;
  const int n = static_cast<int>(devices.size());
  out.device_compute_s.assign(n, 0.0);
  for (size_t s = 0; s < full_steps.size(); ++s) {
    const double repeats = s < 2 ? layer_repeats : 1;
    double slowest = 0;
    for (int i = 0; i < n; ++i) {
      const double t =
          step_time(devices[i], shares[i] * full_steps[s].flops, shares[i] * full_steps[s].bytes);
      slowest = std::max(slowest, t);
      out.device_compute_s[i] += repeats * t;
    }
    out.compute_s += repeats * slowest;
  }
  out.allreduces = model.allreduces_per_token();
  out.values_per_allreduce = values_per_allreduce;
  out.per_allreduce = allreduce_time(comm, n, values_per_allreduce);
  out.comm_s = out.allreduces * out.per_allreduce.total_s();
  return out;
}
}  // namespace

TokenLatency decode_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                            std::span<const double> shares, const CommParams& comm,
                            const LatencyOptions& opt) {
  model.validate("latency model");
  check_shares(devices, shares);
  if (opt.context_tokens < 0) throw ScenarioError("latency model: context_tokens < 0");
  const double bpw = model.bytes_per_weight;
  const double ctx = static_cast<double>(opt.context_tokens);
  const double att = static_cast<double>(model.attention_params());
  const double mlp = static_cast<double>(model.mlp_params());
  std::vector<StepLoad> steps;
  // Attention: projections plus reading K and V of every cached position (4 FLOPs per cached
  // position per head dimension: scores and weighted sum).
  steps.push_back({2 * att + 4 * ctx * model.dim,
                   bpw * att + 2 * ctx * model.kv_dim() * opt.kv_bytes_per_value});
  steps.push_back({2 * mlp, bpw * mlp});
  if (opt.include_classifier) {
    const double cls = static_cast<double>(model.classifier_params());
    steps.push_back({2 * cls, bpw * cls});
  }
  return assemble(model, devices, shares, comm, steps, model.n_layers, model.dim);
}

TokenLatency prefill_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                             std::span<const double> shares, const CommParams& comm,
                             long long n_tokens) {
  model.validate("latency model");
  check_shares(devices, shares);
  if (n_tokens < 1) throw ScenarioError("latency model: prefill needs >= 1 token");
  const double T = static_cast<double>(n_tokens);
  const double bpw = model.bytes_per_weight;
  const double att = static_cast<double>(model.attention_params());
  const double mlp = static_cast<double>(model.mlp_params());
  const double cls = static_cast<double>(model.classifier_params());
  std::vector<StepLoad> steps;
  // Causal attention over the prompt: position t attends to t positions -> 2 d T (T+1) FLOPs.
  steps.push_back({2 * att * T + 2.0 * model.dim * T * (T + 1), bpw * att});
  steps.push_back({2 * mlp * T, bpw * mlp});
  steps.push_back({2 * cls, bpw * cls});  // logits of the last position only
  return assemble(model, devices, shares, comm, steps, model.n_layers,
                  static_cast<long long>(model.dim) * n_tokens);
}

Calibration calibrate_decode(const ModelShape& model, double measured_s_per_token) {
  model.validate("calibration");
  if (!(std::isfinite(measured_s_per_token) && measured_s_per_token > 0))
    throw ScenarioError(fmt::format("calibration: measured time per token = {} s, must be > 0",
                                    measured_s_per_token));
  const double weights = static_cast<double>(model.n_layers) * model.layer_params() +
                         static_cast<double>(model.classifier_params());
  return {model.bytes_per_weight * weights / measured_s_per_token,
          2 * weights / measured_s_per_token};
}

DeviceProfile apply_calibration(DeviceProfile base, const Calibration& c, double speed) {
  if (!(speed > 0)) throw ScenarioError(fmt::format("calibration: speed = {}, must be > 0", speed));
  base.mem_bandwidth_bytes_per_s = c.effective_bandwidth_bytes_per_s * speed;
  base.flops_per_s = c.effective_flops_per_s * speed;
  return base;
}

}  // namespace airtp
