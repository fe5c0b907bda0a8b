#include "perfmodel/latency.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "util/input_error.h"

namespace airtp {

namespace {
void check_shares(std::span<const DeviceProfile> devices, std::span<const double> shares) {
  if (devices.empty()) throw InputError("latency model: no devices");
  if (shares.size() != devices.size())
    throw InputError(fmt::format("latency model: {} shares for {} devices", shares.size(),
                                    devices.size()));
  double sum = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (!(std::isfinite(shares[i]) && shares[i] >= 0))
      throw InputError(
          fmt::format("latency model: shares[{}] = {} must be >= 0", i, shares[i]));
    sum += shares[i];
  }
  if (std::abs(sum - 1.0) > 1e-6)
    throw InputError(fmt::format("latency model: shares sum to {}, must sum to 1", sum));
}

// Time for one device to run its share of a step: memory traffic or arithmetic, whichever is
// slower (they overlap in a well-written kernel).
double step_time(const DeviceProfile& d, double flops, double bytes) {
  return std::max(flops / d.flops_per_s, bytes / d.mem_bandwidth_bytes_per_s);
}
}  // namespace

namespace {
struct StepLoad {
  double flops = 0;
  double bytes = 0;
};

TokenLatency assemble(const ModelShape& model, std::span<const DeviceProfile> devices,
                      std::span<const double> shares, const PricedLink& link,
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
  out.per_allreduce = link.time(n, values_per_allreduce);
  out.comm_s = out.allreduces * out.per_allreduce.total_s();
  return out;
}
}  // namespace

TokenLatency decode_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                            std::span<const double> shares, const PricedLink& link,
                            const LatencyOptions& opt) {
  model.validate("latency model");
  check_shares(devices, shares);
  if (opt.context_tokens < 0) throw InputError("latency model: context_tokens < 0");
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
  return assemble(model, devices, shares, link, steps, model.n_layers, model.dim);
}

TokenLatency prefill_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                             std::span<const double> shares, const PricedLink& link,
                             long long n_tokens) {
  model.validate("latency model");
  check_shares(devices, shares);
  if (n_tokens < 1) throw InputError("latency model: prefill needs >= 1 token");
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
  return assemble(model, devices, shares, link, steps, model.n_layers,
                  static_cast<long long>(model.dim) * n_tokens);
}

Calibration calibrate_decode(const ModelShape& model, double measured_s_per_token) {
  model.validate("calibration");
  if (!(std::isfinite(measured_s_per_token) && measured_s_per_token > 0))
    throw InputError(fmt::format("calibration: measured time per token = {} s, must be > 0",
                                    measured_s_per_token));
  const double weights = static_cast<double>(model.n_layers) * model.layer_params() +
                         static_cast<double>(model.classifier_params());
  return {model.bytes_per_weight * weights / measured_s_per_token,
          2 * weights / measured_s_per_token};
}

DeviceProfile apply_calibration(DeviceProfile base, const Calibration& c, double speed) {
  if (!(speed > 0)) throw InputError(fmt::format("calibration: speed = {}, must be > 0", speed));
  base.mem_bandwidth_bytes_per_s = c.effective_bandwidth_bytes_per_s * speed;
  base.flops_per_s = c.effective_flops_per_s * speed;
  return base;
}

}  // namespace airtp
