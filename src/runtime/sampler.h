// Next-token choice from logits: greedy at temperature 0, otherwise softmax with temperature
// and nucleus (top-p) truncation, driven by a seeded generator so runs are reproducible.
#pragma once
#include <cstdint>
#include <random>
#include <span>

namespace airtp {

class Sampler {
 public:
  Sampler(float temperature, float top_p, uint64_t seed);  // throws on out-of-range values
  int sample(std::span<const float> logits);

 private:
  float temperature_, top_p_;
  std::mt19937_64 rng_;
};

int argmax(std::span<const float> logits);

}  // namespace airtp
