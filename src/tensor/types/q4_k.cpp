// Q4_K: GGML's 4-bit k-quant (block layout in kquants.h).
#include <cmath>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/kquants.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {

void quantize(const float* x, BlockQ4_K* y, int64_t n) {
  kquant::check_superblocks(n, "quantize_q4_k");
  uint8_t L[kQK];
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    kquant::quantize_scale_min_superblock(x, 15, -1.0f, 20, L, y[b].d, y[b].dmin, y[b].scales);
    uint8_t* q = y[b].qs;
    for (int j = 0; j < kQK; j += 64, q += 32)
      for (int l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
  }
}

void dequantize(const BlockQ4_K* x, float* y, int64_t n) {
  kquant::check_superblocks(n, "dequantize_q4_k");
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
    const uint8_t* q = x[b].qs;
    for (int j = 0; j < kQK / 32; j += 2, q += 32) {
      uint8_t sc, m;
      kquant::scale_min(x[b].scales, j, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      kquant::scale_min(x[b].scales, j + 1, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void to_float(const void* src, float* dst, int64_t n) { dequantize(static_cast<const BlockQ4_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize(src, static_cast<BlockQ4_K*>(dst), n); }

}  // namespace

TypeTraits q4_k_type() {
  TypeTraits t{.type = DType::Q4_K, .name = "Q4_K", .ggml_type = 12, .file_type = 14 /* MOSTLY_Q4_K_S */,
               .block_size = kQK, .block_bytes = sizeof(BlockQ4_K), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_K};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q4_k;
  t.matmul_avx2 = simd::matmul_rows_q4_k;
#endif
  return t;
}

}  // namespace airtp
