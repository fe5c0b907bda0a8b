// GGML's Q6_K: super-blocks of 256 values in 16 sub-blocks of 16, each sub-block with an int8
// scale, one fp16 super-scale d; value = d * scales[s] * (q - 32) with q a 6-bit code.
// Layout per half of 128 values (ql advances 64 bytes, qh 32, scales 8): for l < 32, the codes
// of values l, l+32, l+64, l+96 take their low 4 bits from ql[l] low, ql[l+32] low, ql[l] high,
// ql[l+32] high, and their top 2 bits from bits 0-1, 2-3, 4-5, 6-7 of qh[l]; value v of the
// half uses scale (v / 16) of the half's 8.
#pragma once
#include <cstdint>

#include "tensor/types/q8_k.h"

namespace airtp {

struct BlockQ6_K {
  uint8_t ql[kQK / 2];
  uint8_t qh[kQK / 4];
  int8_t scales[kQK / 16];
  uint16_t d;  // IEEE half
};
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block must match GGML's 210-byte layout");

// GGML's reference quantizer (no importance matrix): each sub-block's scale by a search over 19
// candidate steps minimising the x^2-weighted squared error, the 16 scales quantized to int8
// against the largest, then every value rounded to the nearest code of its final scale.
void quantize_q6_k(const float* x, BlockQ6_K* out, int64_t n);
void dequantize_q6_k(const BlockQ6_K* in, float* out, int64_t n);

}  // namespace airtp
