// GGML's Q4_1: blocks of 32 values with an fp16 scale d and an fp16 offset m (the block's
// minimum); value = d * q + m with q a 4-bit code, nibbles placed as in Q4_0.
#pragma once
#include <cstdint>

namespace airtp {

struct BlockQ4_1 {
  uint16_t d;  // IEEE half
  uint16_t m;  // IEEE half
  uint8_t qs[16];
};
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1 block must match GGML's 20-byte layout");

// GGML's reference quantizer: m = min, d = (max - min) / 15, q = min(15, trunc((x - m) / d + 0.5)).
void quantize_q4_1(const float* x, BlockQ4_1* out, int64_t n);
void dequantize_q4_1(const BlockQ4_1* in, float* out, int64_t n);

}  // namespace airtp
