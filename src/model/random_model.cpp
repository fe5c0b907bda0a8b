#include "model/random_model.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "model/gguf_writer.h"
#include "model/model_error.h"
#include "tensor/type_traits.h"

namespace airtp {
namespace {

// splitmix64: a tensor's values depend only on (seed, tensor index), not on write order.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [-a, a).
  float uniform(float a) { return a * (static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f); }
};

// One stream per row, so a row's values depend only on (seed, row).
void add_random_matrix(gguf::Writer& w, const std::string& name, int rows, int cols, DType want, uint64_t seed) {
  add_matrix_rows(w, name, rows, cols, want, [seed, cols](int r, float* row) {
    const float a = 0.02f * std::sqrt(3.0f);
    SplitMix rng{seed ^ SplitMix{static_cast<uint64_t>(r)}.next()};
    for (int i = 0; i < cols; ++i) row[i] = rng.uniform(a);
  });
}

void add_ones(gguf::Writer& w, const std::string& name, int n) {
  std::vector<uint8_t> b(sizeof(float) * static_cast<size_t>(n));
  const float one = 1.0f;
  for (int i = 0; i < n; ++i) std::memcpy(b.data() + sizeof(float) * static_cast<size_t>(i), &one, sizeof one);
  w.add_tensor(name, gguf::kTypeF32, {static_cast<uint64_t>(n)}, std::move(b));
}

}  // namespace

void write_random_gguf(const ModelConfig& c, DType type, uint64_t seed, const std::string& path) {
  c.validate(path);
  if (!type_traits(type).from_float)
    throw ModelError(fmt::format("{}: cannot encode {} weights", path, dtype_name(type)));
  gguf::Writer w;
  add_llama_metadata(w, c, type);
  uint64_t k = seed * 0x100000001b3ull;
  add_random_matrix(w, "token_embd.weight", c.vocab_size, c.dim, type, ++k);
  add_ones(w, "output_norm.weight", c.dim);
  if (!c.tied_output) add_random_matrix(w, "output.weight", c.vocab_size, c.dim, type, ++k);
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = fmt::format("blk.{}.", l);
    add_ones(w, p + "attn_norm.weight", c.dim);
    add_random_matrix(w, p + "attn_q.weight", c.dim, c.dim, type, ++k);
    add_random_matrix(w, p + "attn_k.weight", c.kv_dim(), c.dim, type, ++k);
    add_random_matrix(w, p + "attn_v.weight", c.kv_dim(), c.dim, type, ++k);
    add_random_matrix(w, p + "attn_output.weight", c.dim, c.dim, type, ++k);
    add_ones(w, p + "ffn_norm.weight", c.dim);
    add_random_matrix(w, p + "ffn_gate.weight", c.hidden_dim, c.dim, type, ++k);
    add_random_matrix(w, p + "ffn_down.weight", c.dim, c.hidden_dim, type, ++k);
    add_random_matrix(w, p + "ffn_up.weight", c.hidden_dim, c.dim, type, ++k);
  }
  w.write(path);
}

}  // namespace airtp
