#include "tensor/types/q8_0.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/types.h"

namespace airtp {

void quantize_q8_0(const float* x, BlockQ8_0* out, int64_t n) {
  if (n < 0 || n % kQ8Block != 0) {
    throw std::invalid_argument("quantize_q8_0: n must be a non-negative multiple of 32, got " +
                                std::to_string(n));
  }
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const float* xb = x + b * kQ8Block;
    float amax = 0.0f;
    for (int j = 0; j < kQ8Block; ++j) {
      const float v = std::fabs(xb[j]);
      amax = amax > v ? amax : v;  // GGML's MAX(amax, v), NaN handling included
    }
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = fp32_to_fp16(d);
    for (int j = 0; j < kQ8Block; ++j) {
      out[b].qs[j] = static_cast<int8_t>(std::roundf(xb[j] * id));
    }
  }
}

void dequantize_q8_0(const BlockQ8_0* in, float* out, int64_t n) {
  if (n < 0 || n % kQ8Block != 0) {
    throw std::invalid_argument("dequantize_q8_0: n must be a non-negative multiple of 32, got " +
                                std::to_string(n));
  }
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const float d = fp16_to_fp32(in[b].d);
    for (int j = 0; j < kQ8Block; ++j) out[b * kQ8Block + j] = d * in[b].qs[j];
  }
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), n); }
}  // namespace

TypeTraits q8_0_type() {
  TypeTraits t{.type = DType::Q8_0, .name = "Q8_0", .ggml_type = 8, .file_type = 7 /* MOSTLY_Q8_0 */,
               .block_size = kQ8Block, .block_bytes = sizeof(BlockQ8_0), .to_float = to_float,
               .from_float = from_float};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q8_0;
  t.matmul_avx2 = simd::matmul_rows_q8_0;
#endif
  return t;
}

}  // namespace airtp
