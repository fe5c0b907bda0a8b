#include <cstring>

#include "tensor/simd_rows.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {
void copy_floats(const void* src, float* dst, int64_t n) { std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(n)); }
void store_floats(const float* src, void* dst, int64_t n) { std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(n)); }
}  // namespace

TypeTraits f32_type() {
  TypeTraits t{.type = DType::F32, .name = "F32", .ggml_type = 0, .file_type = 0 /* ALL_F32 */,
               .block_size = 1, .block_bytes = 4, .to_float = copy_floats, .from_float = store_floats};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_f32;
  t.matmul_avx2 = simd::matmul_rows_f32;
#endif
  return t;
}

}  // namespace airtp
