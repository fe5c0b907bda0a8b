// GGML's Q8_0: blocks of 32 values sharing one fp16 scale d; value = d * qs[i].
#pragma once
#include <cstdint>

namespace airtp {

inline constexpr int kQ8Block = 32;
struct BlockQ8_0 {
  uint16_t d;  // IEEE half
  int8_t qs[kQ8Block];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must match GGML's 34-byte layout");

// Quantizes n floats (n % 32 == 0) exactly as GGML's reference quantizer does:
// d = max|x| / 127 (stored as fp16), q = round(x / d).
void quantize_q8_0(const float* x, BlockQ8_0* out, int64_t n);
void dequantize_q8_0(const BlockQ8_0* in, float* out, int64_t n);

}  // namespace airtp
