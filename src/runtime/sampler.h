// Next-token choice from logits: greedy at temperature 0, otherwise softmax with temperature
// top-k and nucleus (top-p) truncation (in llama.cpp's order: top-k first), driven by a seeded generator so runs are reproducible.
#pragma once
#include <cstdint>
#include <random>
#include <span>

namespace airtp {

class Sampler {
 public:
  // top_k = 0: no top-k cut. Throws ParameterError on out-of-range values.
  Sampler(float temperature, float top_p, uint64_t seed, int top_k = 0);
  int sample(std::span<const float> logits);

 private:
  float temperature_, top_p_;
  int top_k_;
  std::mt19937_64 rng_;
};

int argmax(std::span<const float> logits);

}  // namespace airtp
