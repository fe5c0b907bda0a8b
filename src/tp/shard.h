// The weights one device holds: its rows of Q/K/V and gate/up, its columns of the attention
// output and down projections. Cut-out pieces are owned copies, so under MPI a rank keeps only
// its shard resident; a piece that is the whole matrix (one device) stays a view.
#pragma once
#include <vector>

#include "model/model.h"
#include "tensor/matrix.h"
#include "tp/plan.h"

namespace airtp {

// A matrix that is either a view into the model's storage or an owned slice.
struct ShardMatrix {
  OwnedMatrix owned;
  Matrix view;
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

// Throws std::invalid_argument when a quantized matrix cannot be cut at the plan's boundaries.
Shard make_shard(const Model& model, const DeviceShare& share);

}  // namespace airtp
