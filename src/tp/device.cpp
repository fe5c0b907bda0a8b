#include "tp/device.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "tensor/kernels.h"
#include "util/parameter_error.h"

namespace airtp {

Device::Device(int id, const Model& model, const DeviceShare& share, int max_ctx)
    : id_(id), cfg_(model.config), shard_(make_shard(model, share)), max_ctx_(max_ctx) {
  if (max_ctx < 1 || max_ctx > cfg_.max_seq_len)
    throw ParameterError("ctx", fmt::format("{} is outside 1..{} (the model's context length)", max_ctx,
                                            cfg_.max_seq_len));
  heads_ = share.heads();
  kv_local_ = share.kv_heads() * cfg_.head_dim();
  const size_t cache = static_cast<size_t>(cfg_.n_layers) * max_ctx * kv_local_;
  k_cache_.assign(cache, 0.0f);
  v_cache_.assign(cache, 0.0f);
}

static void grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

void Device::attention(int layer, const float* x, int T, int pos0, float* out, ThreadPool& pool) {
  if (pos0 < 0 || pos0 + T > max_ctx_)
    throw std::out_of_range(fmt::format("position {} is beyond the context of {} tokens", pos0 + T - 1, max_ctx_));
  const auto& L = shard_.layers[static_cast<size_t>(layer)];
  const int dim = cfg_.dim, hd = cfg_.head_dim(), qw = heads_ * hd;
  const size_t uT = static_cast<size_t>(T);
  if (heads_ == 0) {  // a device with a zero share: it contributes nothing
    std::fill_n(out, uT * dim, 0.0f);
    return;
  }
  grow(xn_, uT * dim);
  grow(q_, uT * qw);
  grow(k_, uT * kv_local_);
  grow(v_, uT * kv_local_);
  grow(att_, uT * qw);
  for (int t = 0; t < T; ++t) rmsnorm(&xn_[t * dim], x + static_cast<size_t>(t) * dim, L.attn_norm.data(), dim, cfg_.norm_eps);
  matmul(L.wq.view, xn_.data(), T, q_.data(), pool);
  matmul(L.wk.view, xn_.data(), T, k_.data(), pool);
  matmul(L.wv.view, xn_.data(), T, v_.data(), pool);
  for (int t = 0; t < T; ++t) {
    const float* ff = cfg_.rope_freq_factors.empty() ? nullptr : cfg_.rope_freq_factors.data();
    rope(&q_[static_cast<size_t>(t) * qw], heads_, hd, pos0 + t, cfg_.rope_theta, ff);
    rope(&k_[static_cast<size_t>(t) * kv_local_], shard_.share.kv_heads(), hd, pos0 + t, cfg_.rope_theta, ff);
    std::copy_n(&k_[static_cast<size_t>(t) * kv_local_], kv_local_, k_at(layer, pos0 + t));
    std::copy_n(&v_[static_cast<size_t>(t) * kv_local_], kv_local_, v_at(layer, pos0 + t));
  }
  // Causal attention, one (token, head) pair per work item.
  const int hpk = cfg_.heads_per_kv();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  pool.parallel_for(static_cast<int64_t>(T) * heads_, [&](int64_t b, int64_t e) {
    std::vector<float> score(static_cast<size_t>(pos0 + T));
    for (int64_t w = b; w < e; ++w) {
      const int t = static_cast<int>(w / heads_), h = static_cast<int>(w % heads_);
      const int pos = pos0 + t, kvh = h / hpk;
      const float* q = &q_[static_cast<size_t>(t) * qw + static_cast<size_t>(h) * hd];
      bool all_neg_inf = true;
      for (int p = 0; p <= pos; ++p) {
        const float* k = k_at(layer, p) + static_cast<size_t>(kvh) * hd;
        float s = 0;
        for (int i = 0; i < hd; ++i) s += q[i] * k[i];
        score[p] = s * scale;
        all_neg_inf = all_neg_inf && score[p] == -INFINITY;
      }
      // A NaN or +inf score reaches the logits and is reported there; scores that all overflowed
      // to -inf leave nothing to normalize, so they are reported here, where the cause is known.
      if (all_neg_inf)
        throw std::runtime_error(fmt::format(
            "device {}, layer {}, head {}: non-finite attention scores (all -inf) at position {}; "
            "the activations overflowed or the model file holds NaN/Inf or huge weights",
            id_, layer, h, pos));
      softmax(score.data(), pos + 1);
      float* o = &att_[static_cast<size_t>(t) * qw + static_cast<size_t>(h) * hd];
      std::fill_n(o, hd, 0.0f);
      for (int p = 0; p <= pos; ++p) {
        const float* v = v_at(layer, p) + static_cast<size_t>(kvh) * hd;
        const float a = score[p];
        for (int i = 0; i < hd; ++i) o[i] += a * v[i];
      }
    }
  });
  matmul(L.wo.view, L.wo.input(att_.data(), T, padded_), T, out, pool);
}

void Device::mlp(int layer, const float* x, int T, float* out, ThreadPool& pool) {
  const auto& L = shard_.layers[static_cast<size_t>(layer)];
  const int dim = cfg_.dim, units = shard_.share.units();
  const size_t uT = static_cast<size_t>(T);
  if (units == 0) {
    std::fill_n(out, uT * dim, 0.0f);
    return;
  }
  grow(xn_, uT * dim);
  grow(gate_, uT * units);
  grow(up_, uT * units);
  for (int t = 0; t < T; ++t) rmsnorm(&xn_[t * dim], x + static_cast<size_t>(t) * dim, L.ffn_norm.data(), dim, cfg_.norm_eps);
  matmul(L.w_gate.view, xn_.data(), T, gate_.data(), pool);
  matmul(L.w_up.view, xn_.data(), T, up_.data(), pool);
  swiglu(gate_.data(), gate_.data(), up_.data(), T * units);
  matmul(L.w_down.view, L.w_down.input(gate_.data(), T, padded_), T, out, pool);
}

}  // namespace airtp
