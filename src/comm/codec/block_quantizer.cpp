#include "comm/codec/block_quantizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tensor/fp16.h"
#include "util/parameter_error.h"

namespace airtp {

void BlockQuantizer::validate() const {
  if (bits < 2 || bits > 16)
    throw ParameterError("bits", fmt::format("{} is outside 2..16", bits));
  if (block < 1 || block > 4096)
    throw ParameterError("quant_block", fmt::format("{} is outside 1..4096", block));
}

uint64_t BlockQuantizer::wire_bytes(size_t n) const {
  const uint64_t blocks = (n + static_cast<size_t>(block) - 1) / static_cast<size_t>(block);
  return (static_cast<uint64_t>(n) * static_cast<uint64_t>(bits) + 7) / 8 + 2 * blocks;
}

void BlockQuantizer::round_trip(std::span<float> x) const {
  const float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  for (size_t b = 0; b < x.size(); b += static_cast<size_t>(block)) {
    const size_t e = std::min(x.size(), b + static_cast<size_t>(block));
    float amax = 0;
    for (size_t i = b; i < e; ++i) amax = std::max(amax, std::abs(x[i]));
    // The scale travels as fp16, so the receiver uses the rounded scale.
    const float d = fp16_to_fp32(fp32_to_fp16(amax / qmax));
    const float id = d != 0 ? 1.0f / d : 0.0f;
    for (size_t i = b; i < e; ++i) {
      const float q = std::clamp(std::nearbyint(x[i] * id), -qmax, qmax);
      x[i] = q * d;
    }
  }
}

double BlockQuantizer::expected_sq_error(std::span<const float> x) const {
  const double qmax = static_cast<double>((1 << (bits - 1)) - 1);
  double total = 0;
  for (size_t b = 0; b < x.size(); b += static_cast<size_t>(block)) {
    const size_t e = std::min(x.size(), b + static_cast<size_t>(block));
    double amax = 0;
    for (size_t i = b; i < e; ++i) amax = std::max(amax, static_cast<double>(std::abs(x[i])));
    const double d = amax / qmax;
    total += static_cast<double>(e - b) * d * d / 12.0;
  }
  return total;
}

}  // namespace airtp
