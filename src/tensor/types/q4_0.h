// GGML's Q4_0: blocks of 32 values sharing one fp16 scale d; value = d * (q - 8) with q a
// 4-bit code. Byte j of qs holds value j in its low nibble and value j + 16 in its high one.
#pragma once
#include <cstdint>

namespace airtp {

inline constexpr int kQ4Block = 32;
struct BlockQ4_0 {
  uint16_t d;  // IEEE half
  uint8_t qs[kQ4Block / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block must match GGML's 18-byte layout");

// GGML's reference quantizer: d = m / -8 where m is the value of largest magnitude (sign kept,
// so m itself is code 0 and the other side gets the 8 remaining steps), q = min(15, trunc(x/d + 8.5)).
void quantize_q4_0(const float* x, BlockQ4_0* out, int64_t n);
void dequantize_q4_0(const BlockQ4_0* in, float* out, int64_t n);

}  // namespace airtp
