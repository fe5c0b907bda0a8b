// Q3_K: GGML's 3-bit k-quant (block layout in kquants.h).
#include <cmath>
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/kquants.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {

using kquant::nearest_int;

// Signed 6-bit scale j (0..15): low four bits in the nibbles of bytes 0..7 (j < 8 low nibble of
// byte j, else high nibble of byte j-8), top two bits in bytes 8..11 (byte 8 + j%4, bits 2*(j/4)).
inline int scale_of(const uint8_t* s, int j) {
  const int low = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
  const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// llama.cpp's reference quantizer (no importance matrix): a signed scale per 16 values, stored
// as a 6-bit multiple of the super-block's largest, and the values requantized against the
// stored scale to [-4, 3].
void quantize(const float* x, BlockQ3_K* y, int64_t n) {
  kquant::check_superblocks(n, "quantize_q3_k");
  int8_t L[kQK];
  float scales[kQK / 16];
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    BlockQ3_K& blk = y[b];
    float max_scale = 0, amax = 0;
    for (int j = 0; j < kQK / 16; ++j) {
      scales[j] = kquant::fit_symmetric_scale(16, 4, x + 16 * j, L + 16 * j);
      const float a = std::fabs(scales[j]);
      if (a > amax) {
        amax = a;
        max_scale = scales[j];
      }
    }
    std::memset(blk.scales, 0, sizeof blk.scales);
    if (max_scale) {
      const float iscale = -32.0f / max_scale;
      for (int j = 0; j < kQK / 16; ++j) {
        int l = static_cast<int8_t>(nearest_int(iscale * scales[j]));
        l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
        if (j < 8) {
          blk.scales[j] = static_cast<uint8_t>(l & 0xF);
        } else {
          blk.scales[j - 8] = static_cast<uint8_t>(blk.scales[j - 8] | ((l & 0xF) << 4));
        }
        blk.scales[j % 4 + 8] = static_cast<uint8_t>(blk.scales[j % 4 + 8] | ((l >> 4) << (2 * (j / 4))));
      }
      blk.d = fp32_to_fp16(1 / iscale);
    } else {
      blk.d = fp32_to_fp16(0.0f);
    }
    for (int j = 0; j < kQK / 16; ++j) {
      const float d = fp16_to_fp32(blk.d) * scale_of(blk.scales, j);
      if (!d) continue;  // keeps the fit's quants: the sub-block decodes to 0 anyway
      for (int i = 0; i < 16; ++i) {
        const int l = nearest_int(x[16 * j + i] / d);
        L[16 * j + i] = static_cast<int8_t>((l < -4 ? -4 : l > 3 ? 3 : l) + 4);
      }
    }
    std::memset(blk.hmask, 0, sizeof blk.hmask);
    for (int j = 0; j < kQK; ++j) {
      if (L[j] > 3) {
        blk.hmask[j % 32] = static_cast<uint8_t>(blk.hmask[j % 32] | (1 << (j / 32)));
        L[j] = static_cast<int8_t>(L[j] - 4);
      }
    }
    for (int j = 0; j < kQK; j += 128)
      for (int l = 0; l < 32; ++l)
        blk.qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
  }
}

void dequantize(const BlockQ3_K* x, float* y, int64_t n) {
  kquant::check_superblocks(n, "dequantize_q3_k");
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d_all = fp16_to_fp32(x[b].d);
    const uint8_t* q = x[b].qs;
    int is = 0, bit = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, ++bit) {
        for (int part = 0; part < 2; ++part) {
          const float dl = d_all * scale_of(x[b].scales, is++);
          for (int l = 0; l < 16; ++l) {
            const int k = 16 * part + l;
            const int v = ((q[k] >> shift) & 3) - ((x[b].hmask[k] >> bit) & 1 ? 0 : 4);
            *y++ = dl * v;
          }
        }
      }
    }
  }
}

void to_float(const void* src, float* dst, int64_t n) { dequantize(static_cast<const BlockQ3_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize(src, static_cast<BlockQ3_K*>(dst), n); }

}  // namespace

TypeTraits q3_k_type() {
  TypeTraits t{.type = DType::Q3_K, .name = "Q3_K", .ggml_type = 11, .file_type = 11 /* MOSTLY_Q3_K_S */,
               .block_size = kQK, .block_bytes = sizeof(BlockQ3_K), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_K};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q3_k;
  t.matmul_avx2 = simd::matmul_rows_q3_k;
#endif
  return t;
}

}  // namespace airtp
