// Q5_K: GGML's 5-bit k-quant (block layout in kquants.h).
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/kquants.h"
#include "tensor/types/types.h"

namespace airtp {
namespace {

void quantize(const float* x, BlockQ5_K* y, int64_t n) {
  kquant::check_superblocks(n, "quantize_q5_k");
  uint8_t L[kQK];
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    BlockQ5_K& blk = y[b];
    kquant::quantize_scale_min_superblock(x, 31, -0.5f, 15, L, blk.d, blk.dmin, blk.scales);
    std::memset(blk.qh, 0, sizeof blk.qh);
    uint8_t* ql = blk.qs;
    for (int j = 0; j < kQK; j += 64, ql += 32) {
      const int bit = j / 32;  // values j.. and j+32.. of this 64 take bits bit and bit+1
      for (int l = 0; l < 32; ++l) {
        int lo = L[j + l], hi = L[j + l + 32];
        if (lo > 15) {
          lo -= 16;
          blk.qh[l] = static_cast<uint8_t>(blk.qh[l] | (1 << bit));
        }
        if (hi > 15) {
          hi -= 16;
          blk.qh[l] = static_cast<uint8_t>(blk.qh[l] | (2 << bit));
        }
        ql[l] = static_cast<uint8_t>(lo | (hi << 4));
      }
    }
  }
}

void dequantize(const BlockQ5_K* x, float* y, int64_t n) {
  kquant::check_superblocks(n, "dequantize_q5_k");
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
    const uint8_t* ql = x[b].qs;
    const uint8_t* qh = x[b].qh;
    for (int j = 0; j < kQK / 32; j += 2, ql += 32) {
      uint8_t sc, m;
      kquant::scale_min(x[b].scales, j, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      kquant::scale_min(x[b].scales, j + 1, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (((qh[l] >> j) & 1) << 4)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (((qh[l] >> (j + 1)) & 1) << 4)) - m2;
    }
  }
}

void to_float(const void* src, float* dst, int64_t n) { dequantize(static_cast<const BlockQ5_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize(src, static_cast<BlockQ5_K*>(dst), n); }

}  // namespace

TypeTraits q5_k_type() {
  TypeTraits t{.type = DType::Q5_K, .name = "Q5_K", .ggml_type = 13, .file_type = 16 /* MOSTLY_Q5_K_S */,
               .block_size = kQK, .block_bytes = sizeof(BlockQ5_K), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_K};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q5_k;
  t.matmul_avx2 = simd::matmul_rows_q5_k;
#endif
  return t;
}

}  // namespace airtp
