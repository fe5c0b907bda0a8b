// One tensor-parallel device: its shard, its part of the KV cache, and the two partial
// computations of a layer. It never talks to other devices: what it returns is a partial
// dim-vector per token that only becomes the layer output after the all-reduce.
#pragma once
#include <vector>

#include "model/model.h"
#include "tensor/threadpool.h"
#include "tp/shard.h"

namespace airtp {

class Device {
 public:
  Device(int id, const Model& model, const DeviceShare& share, int max_ctx);

  int id() const { return id_; }
  const Shard& shard() const { return shard_; }
  size_t kv_cache_bytes() const { return (k_cache_.size() + v_cache_.size()) * sizeof(float); }

  // x: T rows of dim floats (the replicated residual stream at positions pos0..pos0+T-1).
  // out: T rows of dim floats, this device's partial sum of the attention output projection.
  void attention(int layer, const float* x, int T, int pos0, float* out, ThreadPool& pool);
  // out: this device's partial sum of the MLP down projection.
  void mlp(int layer, const float* x, int T, float* out, ThreadPool& pool);

 private:
  float* k_at(int layer, int pos) { return k_cache_.data() + (static_cast<size_t>(layer) * max_ctx_ + pos) * kv_local_; }
  float* v_at(int layer, int pos) { return v_cache_.data() + (static_cast<size_t>(layer) * max_ctx_ + pos) * kv_local_; }

  int id_;
  ModelConfig cfg_;
  Shard shard_;
  int max_ctx_;
  int heads_, kv_local_;  // local query heads, local KV width (kv heads * head_dim)
  std::vector<float> k_cache_, v_cache_;
  std::vector<float> xn_, q_, k_, v_, att_, gate_, up_;  // scratch, grown on demand
  std::vector<float> padded_;  // inputs of column cuts that fall inside blocks (ShardMatrix::input)
};

}  // namespace airtp
