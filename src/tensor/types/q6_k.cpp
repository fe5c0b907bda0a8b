#include "tensor/types/q6_k.h"

#include <cmath>
#include <cstring>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"
#include "tensor/types/block_args.h"
#include "tensor/types/types.h"

namespace airtp {

namespace {

// Round to nearest, ties to even (the current rounding mode), as GGML's nearest_int.
inline int nearest(float v) { return static_cast<int>(std::nearbyintf(v)); }

inline int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// The scale of one group of n values as codes in [-nmax, nmax), chosen among the step max/nmax
// and 18 neighbours (nmax +- 0.1k, k = 1..9) by the x^2-weighted least-squares fit; codes + nmax
// go to L. The sums are float and in GGML's order so that the choice matches llama-quantize's.
float group_scale(int n, int nmax, const float* x, int8_t* L) {
  float amax = 0.0f, max = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax < 1e-15f) {
    std::memset(L, 0, static_cast<size_t>(n));
    return 0.0f;
  }
  auto fit = [&](float iscale, float& sumlx, float& suml2) {
    sumlx = suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
      const int l = clamp(nearest(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      sumlx += w * x[i] * static_cast<float>(l);
      suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
  };
  auto keep = [&](float iscale) {
    for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(nmax + clamp(nearest(iscale * x[i]), -nmax, nmax - 1));
  };
  float sumlx, suml2;
  float iscale = -static_cast<float>(nmax) / max;
  fit(iscale, sumlx, suml2);
  keep(iscale);
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int k = -9; k <= 9; ++k) {
    if (k == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(k)) / max;
    fit(iscale, sumlx, suml2);
    if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
      keep(iscale);
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

}  // namespace

void quantize_q6_k(const float* x, BlockQ6_K* out, int64_t n) {
  check_block_count(n, kQK, "quantize_q6_k");
  int8_t L[kQK];
  float scales[kQK / 16];
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    BlockQ6_K& y = out[b];
    float max_scale = 0.0f, max_abs_scale = 0.0f;
    for (int s = 0; s < kQK / 16; ++s) {
      scales[s] = group_scale(16, 32, x + 16 * s, L + 16 * s);
      if (std::fabs(scales[s]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[s]);
        max_scale = scales[s];
      }
    }
    if (max_abs_scale < 1e-15f) {
      std::memset(&y, 0, sizeof(y));
      continue;
    }
    const float iscale = -128.0f / max_scale;
    y.d = fp32_to_fp16(1.0f / iscale);
    for (int s = 0; s < kQK / 16; ++s) {
      const int q = nearest(iscale * scales[s]);
      y.scales[s] = static_cast<int8_t>(q < 127 ? q : 127);
    }
    // Codes against the scales as stored (rounded), so the quantization error is that of the file.
    const float d = fp16_to_fp32(y.d);
    for (int s = 0; s < kQK / 16; ++s) {
      const float ds = d * static_cast<float>(y.scales[s]);
      if (ds == 0.0f) continue;
      for (int i = 0; i < 16; ++i) L[16 * s + i] = static_cast<int8_t>(32 + clamp(nearest(x[16 * s + i] / ds), -32, 31));
    }
    for (int h = 0; h < 2; ++h) {
      const int8_t* l = L + 128 * h;
      uint8_t* ql = y.ql + 64 * h;
      uint8_t* qh = y.qh + 32 * h;
      for (int i = 0; i < 32; ++i) {
        ql[i] = static_cast<uint8_t>((l[i] & 0x0f) | ((l[i + 64] & 0x0f) << 4));
        ql[i + 32] = static_cast<uint8_t>((l[i + 32] & 0x0f) | ((l[i + 96] & 0x0f) << 4));
        qh[i] = static_cast<uint8_t>((l[i] >> 4) | ((l[i + 32] >> 4) << 2) | ((l[i + 64] >> 4) << 4) | ((l[i + 96] >> 4) << 6));
      }
    }
  }
}

void dequantize_q6_k(const BlockQ6_K* in, float* out, int64_t n) {
  check_block_count(n, kQK, "dequantize_q6_k");
  for (int64_t b = 0; b < n / kQK; ++b) {
    const BlockQ6_K& blk = in[b];
    const float d = fp16_to_fp32(blk.d);
    for (int h = 0; h < 2; ++h, out += 128) {
      const uint8_t* ql = blk.ql + 64 * h;
      const uint8_t* qh = blk.qh + 32 * h;
      const int8_t* sc = blk.scales + 8 * h;
      for (int i = 0; i < 32; ++i) {
        const int s = i / 16;
        const int q0 = ((ql[i] & 0x0f) | ((qh[i] & 3) << 4)) - 32;
        const int q1 = ((ql[i + 32] & 0x0f) | (((qh[i] >> 2) & 3) << 4)) - 32;
        const int q2 = ((ql[i] >> 4) | (((qh[i] >> 4) & 3) << 4)) - 32;
        const int q3 = ((ql[i + 32] >> 4) | (((qh[i] >> 6) & 3) << 4)) - 32;
        out[i] = d * static_cast<float>(sc[s]) * static_cast<float>(q0);
        out[i + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q1);
        out[i + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q2);
        out[i + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q3);
      }
    }
  }
}

namespace {
void to_float(const void* src, float* dst, int64_t n) { dequantize_q6_k(static_cast<const BlockQ6_K*>(src), dst, n); }
void from_float(const float* src, void* dst, int64_t n) { quantize_q6_k(src, static_cast<BlockQ6_K*>(dst), n); }
}  // namespace

TypeTraits q6_k_type() {
  TypeTraits t{.type = DType::Q6_K, .name = "Q6_K", .ggml_type = 14, .file_type = 18 /* MOSTLY_Q6_K */,
               .block_size = kQK, .block_bytes = sizeof(BlockQ6_K), .to_float = to_float,
               .from_float = from_float, .vec_dot_type = DType::Q8_K};
#if AIRTP_HAVE_X86_SIMD
  t.matvec_avx2 = simd::matvec_rows_q6_k;
  t.matmul_avx2 = simd::matmul_rows_q6_k;
#endif
  return t;
}

}  // namespace airtp
