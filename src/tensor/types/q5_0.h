// GGML's Q5_0: blocks of 32 values sharing one fp16 scale d; value = d * (q - 16) with q a 5-bit
// code: its low 4 bits are nibbles placed as in Q4_0, its fifth bit is bit i of the 32-bit qh.
#pragma once
#include <cstdint>

namespace airtp {

struct BlockQ5_0 {
  uint16_t d;     // IEEE half
  uint8_t qh[4];  // little-endian uint32, bit i = bit 4 of value i (bytes: the struct is 2-aligned)
  uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block must match GGML's 22-byte layout");

// GGML's reference quantizer: d = m / -16 with m the value of largest magnitude (sign kept),
// q = min(31, trunc(x / d + 16.5)).
void quantize_q5_0(const float* x, BlockQ5_0* out, int64_t n);
void dequantize_q5_0(const BlockQ5_0* in, float* out, int64_t n);

}  // namespace airtp
