// Per-token latency model of tensor-parallel inference (paper.md section 2; formulas and
// parameter choices in docs/assignment-and-latency.md).
//
// A decoded token is n_layers x [attention step, all-reduce, MLP step, all-reduce] + the
// classifier. The all-reduces are priced by the scheme's own link model (comm/scheme.h), the
// same one that accounts the link time of a real run. Each compute step is paced by the slowest device; compute and communication do
// not overlap. A device's step time is max(FLOPs / F_n, bytes read / bandwidth_n) of its share.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "comm/scheme.h"
#include "perfmodel/device_profile.h"
#include "perfmodel/model_shape.h"

namespace airtp {

struct LatencyOptions {
  long long context_tokens = 0;  // KV-cache entries read per decoded token (0 = short context)
  double kv_bytes_per_value = 4;
  bool include_classifier = true;  // classifier split by the same shares, logits gather ignored
};

struct TokenLatency {
  double compute_s = 0;  // per token: sum over steps of the slowest device
  double comm_s = 0;     // per token: all-reduces
  int allreduces = 0;
  long long values_per_allreduce = 0;
  AllReduceTime per_allreduce;
  std::vector<double> device_compute_s;  // each device's own busy time per token
  double total_s() const { return compute_s + comm_s; }
};

// Decode of one token. shares: one per device, >= 0, summing to 1 (validated).
TokenLatency decode_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                            std::span<const double> shares, const PricedLink& link,
                            const LatencyOptions& opt = {});
// Prefill of a prompt of n_tokens processed as one batch: weights are read once, FLOPs scale
// with n_tokens (plus causal attention), and each all-reduce carries n_tokens x d values.
TokenLatency prefill_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                             std::span<const double> shares, const PricedLink& link,
                             long long n_tokens);

// Calibration hook: from a measured single-device decode time per token of `model` on this
// machine, the effective memory bandwidth (all weights read once per token) and FLOP rate
// (2 FLOPs per weight per token) that make the model reproduce the measurement exactly.
struct Calibration {
  double effective_bandwidth_bytes_per_s = 0;
  double effective_flops_per_s = 0;
};
Calibration calibrate_decode(const ModelShape& model, double measured_s_per_token);
// `base` with its compute fields replaced by the calibration times `speed` (1 = this machine;
// 2 = a device twice as fast).
DeviceProfile apply_calibration(DeviceProfile base, const Calibration& c, double speed = 1.0);

}  // namespace airtp
