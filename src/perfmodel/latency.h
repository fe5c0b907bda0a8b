// Per-token latency model of tensor-parallel inference (paper.md section 2; formulas and
// parameter choices in docs/assignment-and-latency.md).
//
// A decoded token is n_layers x [attention step, all-reduce, MLP step, all-reduce] + the
// classifier. Each compute step is paced by the slowest device; compute and communication do
// not overlap. A device's step time is max(FLOPs / F_n, bytes read / bandwidth_n) of its share.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "perfmodel/device_profile.h"
#include "perfmodel/model_shape.h"

namespace airtp {

enum class AllReduceScheme {
  Exact,         // ideal: a configured fixed wire latency (default 0)
  DigitalOfdma,  // q-bit quantized uplink over OFDMA (B/N each) + broadcast of the result
  EthernetMesh,  // distributed-llama: every node sends its Q80 partial to all N-1 peers
  EthernetStar,  // reduce to one root, root broadcasts the sum (TPI-LLM)
  UncodedFdma,   // analog, each device in its own B/N sub-band: N x AirComp channel uses
  AirComp,       // all devices at once: ceil(L0 / (kappa L)) channel uses, independent of N
};
std::string_view scheme_name(AllReduceScheme s);
// Accepts the names printed by scheme_name ("exact", "digital", "mesh", "star", "fdma",
// "aircomp"); throws ScenarioError listing them.
AllReduceScheme parse_scheme(std::string_view name);

struct WirelessLinkParams {
  double bandwidth_hz = 10e6;  // B; one complex channel use per 1/B seconds
  int streams = 4;             // L, symbols per device per channel use (spatial multiplexing)
  int reals_per_symbol = 2;    // kappa: 2 packs two reals into one complex symbol
  double sync_overhead_s = 0;  // per all-reduce (timing advance etc.)
  // Digital uplink: bits per value and each device's rate on its B/N OFDMA sub-band (bit/s),
  // e.g. from wireless/rate.h. Must hold one entry per device for DigitalOfdma.
  double uplink_bits_per_value = 8;
  std::vector<double> uplink_rate_bps;
  // Broadcast of the reduced vector to all devices (every wireless scheme); rate 0 = ignore.
  double downlink_bits_per_value = 16;
  double downlink_rate_bps = 0;
};

struct EthernetParams {
  double link_bps = 1e9;                 // per-node full-duplex NIC rate
  double latency_s = 0;                  // per message hop
  double bytes_per_value = 34.0 / 32.0;  // Q80: int8 + one fp16 scale per 32 values
};

struct CommParams {
  AllReduceScheme scheme = AllReduceScheme::AirComp;
  WirelessLinkParams wireless;
  EthernetParams ethernet;
  double exact_latency_s = 0;
};

// Cost of one all-reduce of L0 values per device.
struct AllReduceTime {
  double uplink_s = 0;    // devices -> server (or peers)
  double downlink_s = 0;  // result back to the devices
  double overhead_s = 0;  // fixed per all-reduce (sync, wire latency)
  double channel_uses = 0;           // wireless complex channel uses (time x bandwidth)
  double bytes_sent_per_device = 0;  // payload, worst device
  double bytes_recv_per_device = 0;
  double total_s() const { return uplink_s + downlink_s + overhead_s; }
};

// With one device there is nothing to reduce: every field is 0.
AllReduceTime allreduce_time(const CommParams& p, int n_devices, long long values);

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
                            std::span<const double> shares, const CommParams& comm,
                            const LatencyOptions& opt = {});
// Prefill of a prompt of n_tokens processed as one batch: weights are read once, FLOPs scale
// with n_tokens (plus causal attention), and each all-reduce carries n_tokens x d values.
TokenLatency prefill_latency(const ModelShape& model, std::span<const DeviceProfile> devices,
                             std::span<const double> shares, const CommParams& comm,
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
