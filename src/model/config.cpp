#include "model/config.h"

#include <fmt/format.h>

#include <cmath>

#include "model/model_error.h"

namespace airtp {

// Upper bounds far beyond any real Llama model: they reject garbage headers before any size
// computed from them can overflow or trigger a huge allocation.
namespace {
constexpr int kMaxDim = 1 << 16;
constexpr int kMaxHidden = 1 << 18;
constexpr int kMaxLayers = 1024;
constexpr int kMaxHeads = 1024;
constexpr int kMaxVocab = 1 << 22;
constexpr int kMaxSeqLen = 1 << 24;
}  // namespace

long long ModelConfig::layer_params() const {
  const long long d = dim, h = hidden_dim, kv = kv_dim();
  return 2 * d * d      // wq, wo
         + 2 * kv * d   // wk, wv
         + 3 * h * d    // w_gate, w_up, w_down
         + 2 * d;       // attention and FFN norms
}

long long ModelConfig::total_params() const {
  const long long embd = static_cast<long long>(vocab_size) * dim;
  return n_layers * layer_params() + embd + dim + (tied_output ? 0 : embd);
}

void ModelConfig::validate(const std::string& source) const {
  auto check_range = [&](const char* field, long long v, long long hi) {
    if (v <= 0 || v > hi)
      throw ModelError(fmt::format("{}: invalid model config: {} = {} (must be in [1, {}])", source,
                                   field, v, hi));
  };
  check_range("dim", dim, kMaxDim);
  check_range("hidden_dim", hidden_dim, kMaxHidden);
  check_range("n_layers", n_layers, kMaxLayers);
  check_range("n_heads", n_heads, kMaxHeads);
  check_range("n_kv_heads", n_kv_heads, kMaxHeads);
  check_range("vocab_size", vocab_size, kMaxVocab);
  check_range("max_seq_len", max_seq_len, kMaxSeqLen);
  if (dim % n_heads != 0)
    throw ModelError(fmt::format("{}: invalid model config: dim = {} is not a multiple of n_heads = {}",
                                 source, dim, n_heads));
  if (n_heads % n_kv_heads != 0)
    throw ModelError(fmt::format(
        "{}: invalid model config: n_heads = {} is not a multiple of n_kv_heads = {}", source,
        n_heads, n_kv_heads));
  // RoPE rotates pairs of values inside each head.
  if (head_dim() % 2 != 0)
    throw ModelError(fmt::format("{}: invalid model config: head_dim = {} (dim / n_heads) is odd",
                                 source, head_dim()));
  if (!(std::isfinite(rope_theta) && rope_theta > 0.0f))
    throw ModelError(fmt::format("{}: invalid model config: rope_theta = {} (must be positive)",
                                 source, rope_theta));
  if (!(std::isfinite(norm_eps) && norm_eps > 0.0f && norm_eps < 1.0f))
    throw ModelError(fmt::format("{}: invalid model config: norm_eps = {} (must be in (0, 1))",
                                 source, norm_eps));
}

}  // namespace airtp
