#include "tensor/types/q4_1.h"

#include <cfloat>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/block_args.h"
#include "tensor/types/types.h"

namespace airtp {

void quantize_q4_1(const float* x, BlockQ4_1* out, int64_t n) {
  check_block_count(n, 32, "quantize_q4_1");
  for (int64_t b = 0; b < n / 32; ++b, x += 32) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < 32; ++j) {
      if (x[j] < min) min = x[j];
      if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = fp32_to_fp16(d);
    out[b].m = fp32_to_fp16(min);  // codes are computed from the unrounded min and d, as GGML
    for (int j = 0; j < 16; ++j) {
      const int q0 = static_cast<int>((x[j] - min) * id + 0.5f), q1 = static_cast<int>((x[j + 16] - min) * id + 0.5f);
      out[b].qs[j] = static_cast<uint8_t>((q0 < 15 ? q0 : 15) | (q1 < 15 ? q1 : 15) << 4);
    }
  }
}

void dequantize_q4_1(const BlockQ4_1* in, float* out, int64_t n) {
  check_block_count(n, 32, "dequantize_q4_1");
  for (int64_t b = 0; b < n / 32; ++b, out += 32) {
    const float d = fp16_to_fp32(in[b].d), m = fp16_to_fp32(in[b].m);
    for (int j = 0; j < 16; ++j) {
      out[j] = static_cast<float>(in[b].qs[j] & 0x0f) * d + m;
      out[j + 16] = static_cast<float>(in[b].qs[j] >> 4) * d + m;
    }
  }
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q4_1(static_cast<const BlockQ4_1*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q4_1(src, static_cast<BlockQ4_1*>(dst), n); }
}  // namespace

// vec_dot_type Q8_0 rather than ggml's Q8_1: Q8_1 only adds the block's precomputed d * sum(q)
// for the offset term m * sum(x); the kernel gets sum(q) from the Q8_0 block in two vector
// instructions, so a second activation format (a table row, an encoder, a decoder) buys nothing.
TypeTraits q4_1_type() {
  TypeTraits t{.type = DType::Q4_1, .name = "Q4_1", .ggml_type = 3, .file_type = 3 /* MOSTLY_Q4_1 */,
               .block_size = 32, .block_bytes = sizeof(BlockQ4_1), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_0};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q4_1;
  t.matmul_avx2 = simd::matmul_rows_q4_1;
#endif
  return t;
}

}  // namespace airtp
