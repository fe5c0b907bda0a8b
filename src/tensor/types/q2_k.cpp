// Q2_K: GGML's 2-bit k-quant (block layout in kquants.h).
#include <cmath>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/kquants.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {

using kquant::nearest_int;

// llama.cpp's reference quantizer (no importance matrix): a scale and minimum per 16 values fit
// to minimise the |x|-weighted absolute error, both then stored as 4-bit multiples of the
// super-block's largest, and the values requantized against the stored (rounded) pair.
void quantize(const float* x, BlockQ2_K* y, int64_t n) {
  kquant::check_superblocks(n, "quantize_q2_k");
  uint8_t L[kQK], Laux[16];
  float weights[16], mins[kQK / 16], scales[kQK / 16];
  constexpr float kLevels = 15.0f;
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    BlockQ2_K& blk = y[b];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < kQK / 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = kquant::fit_scale_min(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    if (max_scale > 0) {
      const float iscale = kLevels / max_scale;
      for (int j = 0; j < kQK / 16; ++j) blk.scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
      blk.d = fp32_to_fp16(max_scale / kLevels);
    } else {
      for (int j = 0; j < kQK / 16; ++j) blk.scales[j] = 0;
      blk.d = fp32_to_fp16(0.0f);
    }
    if (max_min > 0) {
      const float iscale = kLevels / max_min;
      for (int j = 0; j < kQK / 16; ++j)
        blk.scales[j] = static_cast<uint8_t>(blk.scales[j] | (nearest_int(iscale * mins[j]) << 4));
      blk.dmin = fp32_to_fp16(max_min / kLevels);
    } else {
      blk.dmin = fp32_to_fp16(0.0f);
    }
    for (int j = 0; j < kQK / 16; ++j) {
      const float d = fp16_to_fp32(blk.d) * (blk.scales[j] & 0xF);
      if (!d) continue;  // the sub-block decodes to -dm whatever its quants: keep the fit's
      const float dm = fp16_to_fp32(blk.dmin) * (blk.scales[j] >> 4);
      for (int i = 0; i < 16; ++i) {
        const int l = nearest_int((x[16 * j + i] + dm) / d);
        L[16 * j + i] = static_cast<uint8_t>(l < 0 ? 0 : l > 3 ? 3 : l);
      }
    }
    for (int j = 0; j < kQK; j += 128)
      for (int l = 0; l < 32; ++l)
        blk.qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
  }
}

void dequantize(const BlockQ2_K* x, float* y, int64_t n) {
  kquant::check_superblocks(n, "dequantize_q2_k");
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
    const uint8_t* q = x[b].qs;
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part) {
          const uint8_t sc = x[b].scales[is++];
          const float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * ((q[16 * part + l] >> shift) & 3) - ml;
        }
      }
    }
  }
}

void to_float(const void* src, float* dst, int64_t n) { dequantize(static_cast<const BlockQ2_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize(src, static_cast<BlockQ2_K*>(dst), n); }

}  // namespace

TypeTraits q2_k_type() {
  TypeTraits t{.type = DType::Q2_K, .name = "Q2_K", .ggml_type = 10, .file_type = 10 /* MOSTLY_Q2_K */,
               .block_size = kQK, .block_bytes = sizeof(BlockQ2_K), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_K};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q2_k;
  t.matmul_avx2 = simd::matmul_rows_q2_k;
#endif
  return t;
}

}  // namespace airtp
