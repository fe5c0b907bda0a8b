#include "tensor/types/q8_k.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "tensor/types/types.h"

namespace airtp {

namespace {
void check_n(int64_t n, const char* where) {
  if (n < 0 || n % kQK != 0)
    throw std::invalid_argument(std::string(where) + ": n must be a non-negative multiple of 256, got " +
                                std::to_string(n));
}
}  // namespace

void quantize_q8_k(const float* x, BlockQ8_K* out, int64_t n) {
  check_n(n, "quantize_q8_k");
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    BlockQ8_K& y = out[b];
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
      const float a = std::fabs(x[j]);
      if (a > amax) {
        amax = a;
        max = x[j];
      }
    }
    if (amax == 0.0f) {
      y.d = 0.0f;
      for (int j = 0; j < kQK; ++j) y.qs[j] = 0;
      for (int j = 0; j < kQK / 16; ++j) y.bsums[j] = 0;
      continue;
    }
    const float iscale = -127.0f / max;
    for (int j = 0; j < kQK; ++j) {
      const long v = std::lrintf(iscale * x[j]);
      y.qs[j] = static_cast<int8_t>(v > 127 ? 127 : v);
    }
    for (int j = 0; j < kQK / 16; ++j) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += y.qs[16 * j + i];
      y.bsums[j] = static_cast<int16_t>(sum);
    }
    y.d = 1.0f / iscale;
  }
}

void dequantize_q8_k(const BlockQ8_K* in, float* out, int64_t n) {
  check_n(n, "dequantize_q8_k");
  for (int64_t b = 0; b < n / kQK; ++b)
    for (int j = 0; j < kQK; ++j) out[b * kQK + j] = in[b].d * in[b].qs[j];
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q8_k(static_cast<const BlockQ8_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), n); }
}  // namespace

TypeTraits q8_k_type() {
  return TypeTraits{.type = DType::Q8_K, .name = "Q8_K", .ggml_type = 15, .file_type = 0,
                    .block_size = kQK, .block_bytes = sizeof(BlockQ8_K), .to_float = to_float,
                    .from_float = from_float, .activation_only = true};
}

}  // namespace airtp
