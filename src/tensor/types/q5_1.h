// GGML's Q5_1: blocks of 32 values with an fp16 scale d and fp16 offset m; value = d * q + m
// with q a 5-bit code stored as in Q5_0.
#pragma once
#include <cstdint>

namespace airtp {

struct BlockQ5_1 {
  uint16_t d;     // IEEE half
  uint16_t m;     // IEEE half
  uint8_t qh[4];  // little-endian uint32, bit i = bit 4 of value i
  uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1 block must match GGML's 24-byte layout");

// GGML's reference quantizer: m = min, d = (max - min) / 31, q = trunc((x - m) / d + 0.5).
void quantize_q5_1(const float* x, BlockQ5_1* out, int64_t n);
void dequantize_q5_1(const BlockQ5_1* in, float* out, int64_t n);

}  // namespace airtp
