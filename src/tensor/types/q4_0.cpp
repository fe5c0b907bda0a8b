#include "tensor/types/q4_0.h"

#include <cmath>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/block_args.h"
#include "tensor/types/types.h"

namespace airtp {

void quantize_q4_0(const float* x, BlockQ4_0* out, int64_t n) {
  check_block_count(n, kQ4Block, "quantize_q4_0");
  for (int64_t b = 0; b < n / kQ4Block; ++b, x += kQ4Block) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQ4Block; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;  // the unrounded d, as GGML
    out[b].d = fp32_to_fp16(d);
    for (int j = 0; j < kQ4Block / 2; ++j) {
      const int q0 = static_cast<int>(x[j] * id + 8.5f), q1 = static_cast<int>(x[j + 16] * id + 8.5f);
      out[b].qs[j] = static_cast<uint8_t>((q0 < 15 ? q0 : 15) | (q1 < 15 ? q1 : 15) << 4);
    }
  }
}

void dequantize_q4_0(const BlockQ4_0* in, float* out, int64_t n) {
  check_block_count(n, kQ4Block, "dequantize_q4_0");
  for (int64_t b = 0; b < n / kQ4Block; ++b, out += kQ4Block) {
    const float d = fp16_to_fp32(in[b].d);
    for (int j = 0; j < kQ4Block / 2; ++j) {
      out[j] = static_cast<float>((in[b].qs[j] & 0x0f) - 8) * d;
      out[j + 16] = static_cast<float>((in[b].qs[j] >> 4) - 8) * d;
    }
  }
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), n); }
}  // namespace

TypeTraits q4_0_type() {
  TypeTraits t{.type = DType::Q4_0, .name = "Q4_0", .ggml_type = 2, .file_type = 2 /* MOSTLY_Q4_0 */,
               .block_size = kQ4Block, .block_bytes = sizeof(BlockQ4_0), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_0};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q4_0;
  t.matmul_avx2 = simd::matmul_rows_q4_0;
#endif
  return t;
}

}  // namespace airtp
