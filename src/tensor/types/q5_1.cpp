#include "tensor/types/q5_1.h"

#include <cfloat>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/block_args.h"
#include "tensor/types/types.h"

namespace airtp {

void quantize_q5_1(const float* x, BlockQ5_1* out, int64_t n) {
  check_block_count(n, 32, "quantize_q5_1");
  for (int64_t b = 0; b < n / 32; ++b, x += 32) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < 32; ++j) {
      if (x[j] < min) min = x[j];
      if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 31.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = fp32_to_fp16(d);
    out[b].m = fp32_to_fp16(min);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      // GGML does not clamp here; (max - min) * id + 0.5 stays below 32 in float, the clamp
      // only guards the bit packing.
      int q0 = static_cast<int>((x[j] - min) * id + 0.5f), q1 = static_cast<int>((x[j + 16] - min) * id + 0.5f);
      q0 = q0 < 31 ? q0 : 31;
      q1 = q1 < 31 ? q1 : 31;
      out[b].qs[j] = static_cast<uint8_t>((q0 & 0x0f) | (q1 & 0x0f) << 4);
      qh |= static_cast<uint32_t>(q0 >> 4) << j | static_cast<uint32_t>(q1 >> 4) << (j + 16);
    }
    for (int k = 0; k < 4; ++k) out[b].qh[k] = static_cast<uint8_t>(qh >> (8 * k));
  }
}

void dequantize_q5_1(const BlockQ5_1* in, float* out, int64_t n) {
  check_block_count(n, 32, "dequantize_q5_1");
  for (int64_t b = 0; b < n / 32; ++b, out += 32) {
    const float d = fp16_to_fp32(in[b].d), m = fp16_to_fp32(in[b].m);
    const uint32_t qh = in[b].qh[0] | in[b].qh[1] << 8 | in[b].qh[2] << 16 | static_cast<uint32_t>(in[b].qh[3]) << 24;
    for (int j = 0; j < 16; ++j) {
      const int q0 = (in[b].qs[j] & 0x0f) | ((qh >> j) & 1) << 4;
      const int q1 = (in[b].qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4;
      out[j] = static_cast<float>(q0) * d + m;
      out[j + 16] = static_cast<float>(q1) * d + m;
    }
  }
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q5_1(static_cast<const BlockQ5_1*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q5_1(src, static_cast<BlockQ5_1*>(dst), n); }
}  // namespace

// vec_dot_type Q8_0, not ggml's Q8_1: see q4_1.cpp.
TypeTraits q5_1_type() {
  TypeTraits t{.type = DType::Q5_1, .name = "Q5_1", .ggml_type = 7, .file_type = 9 /* MOSTLY_Q5_1 */,
               .block_size = 32, .block_bytes = sizeof(BlockQ5_1), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_0};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q5_1;
  t.matmul_avx2 = simd::matmul_rows_q5_1;
#endif
  return t;
}

}  // namespace airtp
