// The weights one device holds: its rows of Q/K/V and gate/up, its columns of the attention
// output and down projections. Cut-out pieces are owned copies, so under MPI a rank keeps only
// its shard resident; a piece that is the whole matrix (one device) stays a view.
//
// A column cut inside a quantization block (32-wide heads in 256-value Q4_K blocks) keeps the
// whole blocks that cover the device's columns, unchanged: the device multiplies them by its
// activations with zeros in the columns that are not its own. That is exact (no re-encoding),
// and costs at most one block per row at each end of the range.
#pragma once
#include <string>
#include <vector>

#include "model/model.h"
#include "tensor/matrix.h"
#include "tp/plan.h"

namespace airtp {

// A matrix that is either a view into the model's storage or an owned slice.
struct ShardMatrix {
  OwnedMatrix owned;
  Matrix view;
  // Column cuts only: view.cols covers the device's `used_cols` columns, which start
  // `pad_front` columns in; the rest of the covering blocks belong to other devices.
  int pad_front = 0;
  int used_cols = 0;
  bool padded() const { return used_cols != view.cols; }
  // x: T rows of used_cols values. Returns x itself, or (when padded) x placed into T rows of
  // view.cols values of `buf` with zeros around it.
  const float* input(const float* x, int T, std::vector<float>& buf) const;
};

struct ShardLayer {
  std::vector<float> attn_norm, ffn_norm;
  ShardMatrix wq, wk, wv, wo, w_gate, w_up, w_down;
};

struct Shard {
  DeviceShare share;
  std::vector<ShardLayer> layers;
  size_t weight_bytes = 0;  // bytes of this device's layer weights (what decode must stream)
};

Shard make_shard(const Model& model, const DeviceShare& share);

// One line per device whose column cuts fall inside quantization blocks ("" when none do):
// what it holds beyond its share, for the plan printout (from layer 0's types; llama-quantize's
// mixes vary the type by layer, but every k-quant block is 256 values). Computed from the plan alone, so the
// root of an MPI job can report every rank's layout.
std::string describe_block_cuts(const Model& model, const Plan& plan);

}  // namespace airtp
