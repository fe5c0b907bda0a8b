// How a model is cut over N devices (Megatron-style tensor parallelism).
//
// Attention is split by whole KV groups (a KV head and the query heads that share it), so no
// device ever needs another device's keys or values; the MLP is split by blocks of hidden
// units. Requested fractions (by hand with --shares, or from the optimizer) are rounded to those
// units; the realised fractions are what the run actually uses and what reports show.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "model/config.h"

namespace airtp {

struct DeviceShare {
  int kv_begin = 0, kv_end = 0;          // KV heads [kv_begin, kv_end)
  int head_begin = 0, head_end = 0;      // query heads
  int unit_begin = 0, unit_end = 0;      // MLP hidden units
  double requested = 0;                  // fraction asked for
  int kv_heads() const { return kv_end - kv_begin; }
  int heads() const { return head_end - head_begin; }
  int units() const { return unit_end - unit_begin; }
};

struct Plan {
  std::vector<DeviceShare> devices;
  int unit_block = 1;  // MLP units are assigned in blocks of this many

  int n_devices() const { return static_cast<int>(devices.size()); }
  // Fraction of one layer's parameters each device holds (attention + MLP), as realised.
  std::vector<double> realised_shares(const ModelConfig& c) const;
  std::string describe(const ModelConfig& c) const;  // one line per device
};

// Splits `c` over fractions.size() devices. Fractions must be >= 0 and sum to 1 (within 1e-6);
// 1 <= N <= n_kv_heads. Each device gets at least one KV group; rounding uses largest
// remainders, so the realised shares are the closest achievable ones. `unit_block` is the
// granularity of the MLP split (the quantization block of ffn_down, whose columns are cut).
// Throws std::invalid_argument naming the offending parameter.
Plan make_plan(const ModelConfig& c, std::span<const double> fractions, int unit_block);
Plan make_even_plan(const ModelConfig& c, int n_devices, int unit_block);

// The MLP split granularity for an ffn_down stored in blocks of `block` values: whole blocks
// when there are at least 4 per device (cuts on block boundaries, shares within a few percent
// of the request), else 32 units, cutting inside the big k-quant blocks (tp/shard.h pads those).
int mlp_unit_block(const ModelConfig& c, int block, int n_devices);

// Parses "0.5,0.3,0.2" (fractions; normalised if they sum to 1 within 1e-3).
std::vector<double> parse_shares(const std::string& text);

// Reads {"shares": [...]} from an assignment JSON written by `airtp assign`.
std::vector<double> read_shares_file(const std::string& path);

}  // namespace airtp
