#include "runtime/sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "util/parameter_error.h"

namespace airtp {

Sampler::Sampler(float temperature, float top_p, uint64_t seed, int top_k)
    : temperature_(temperature), top_p_(top_p), top_k_(top_k), rng_(seed) {
  if (top_k < 0 || top_k > 1000000) throw ParameterError("top_k", fmt::format("{} is outside 0..1000000 (0 = all)", top_k));
  if (!(temperature >= 0) || temperature > 100)
    throw ParameterError("temperature", fmt::format("{} is outside 0..100", temperature));
  if (!(top_p > 0) || top_p > 1) throw ParameterError("top_p", fmt::format("{} is outside (0, 1]", top_p));
}

int argmax(std::span<const float> logits) {
  return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

int Sampler::sample(std::span<const float> logits) {
  if (temperature_ == 0) return argmax(logits);
  const size_t n = logits.size();
  std::vector<double> p(n);
  const double mx = *std::max_element(logits.begin(), logits.end());
  double z = 0;
  for (size_t i = 0; i < n; ++i) z += p[i] = std::exp((logits[i] - mx) / temperature_);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
  // Among the top_k most likely, keep the smallest prefix whose mass reaches top_p of theirs,
  // then draw within it.
  const size_t k = top_k_ > 0 ? std::min(n, static_cast<size_t>(top_k_)) : n;
  if (k < n) {
    z = 0;
    for (size_t i = 0; i < k; ++i) z += p[order[i]];
  }
  double mass = 0;
  size_t keep = 0;
  while (keep < k && mass < top_p_ * z) mass += p[order[keep++]];
  std::uniform_real_distribution<double> u(0.0, mass);
  double r = u(rng_);
  for (size_t i = 0; i < keep; ++i) {
    r -= p[order[i]];
    if (r <= 0) return order[i];
  }
  return order[keep - 1];
}

}  // namespace airtp
