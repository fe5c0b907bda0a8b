// GGML's Q8_K: the activation format the k-quant kernels take (ggml's vec_dot_type of
// Q2_K..Q6_K). 256 values share one float scale; bsums holds the sum of each 16 quants, which
// the kernels of types with per-sub-block minimums need (sum of x over a sub-block = d * bsum).
// Never a weight type: the loaders reject it in files and `convert` does not offer it.
#pragma once
#include <cstdint>

namespace airtp {

inline constexpr int kQK = 256;  // values per k-quant super-block (ggml's QK_K)
struct BlockQ8_K {
  float d;
  int8_t qs[kQK];
  int16_t bsums[kQK / 16];
};
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block must match GGML's 292-byte layout");

// d = -max / 127 where max is the value of largest magnitude (sign kept, so that value is
// exactly -127 and the other end can reach +127 without clipping); q = round(x / d).
void quantize_q8_k(const float* x, BlockQ8_K* out, int64_t n);
void dequantize_q8_k(const BlockQ8_K* in, float* out, int64_t n);

}  // namespace airtp
