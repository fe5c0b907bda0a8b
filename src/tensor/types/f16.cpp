#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {
void halves_to_floats(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
}
void floats_to_halves(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = fp32_to_fp16(src[i]);
}
}  // namespace

TypeTraits f16_type() {
  TypeTraits t{.type = DType::F16, .name = "F16", .ggml_type = 1, .file_type = 1 /* MOSTLY_F16 */,
               .block_size = 1, .block_bytes = 2, .to_float = halves_to_floats, .from_float = floats_to_halves};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_f16;
  t.matmul_avx2 = simd::matmul_rows_f16;
#endif
  return t;
}

}  // namespace airtp
