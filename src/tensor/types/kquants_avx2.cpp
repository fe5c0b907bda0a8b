// AVX2 row kernels of the k-quants Q2_K..Q5_K against Q8_K activations, as ggml computes them:
// per super-block, integer dot products of the quants with the 8-bit activations
// (_mm256_maddubs_epi16: unsigned quants x signed activations, pairs summed to int16), weighted
// by the sub-block scales (_mm256_madd_epi16, to int32), then one float multiply by d * y.d; the
// minimums cost one integer dot of the sub-block minimums with Q8_K's bsums.
//
// The linkage rules of kernels_avx2.cpp apply: internal linkage for everything but the
// simd_rows.h entry points, all includes before the target pragma, no std:: templates and no
// header inline functions (kquants.h's scale unpacking is repeated below for that reason).
#include <immintrin.h>

#include <cstdint>

#include "tensor/simd_rows.h"
#include "tensor/types/kquants.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

namespace airtp::simd {
namespace {

#include "tensor/avx2_reductions.h"  // hsum, hsum_i32, half: see its header comment

inline __m256i load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Bits k.. of every byte (the 16-bit shift's spill from the neighbouring byte is masked off).
inline __m256i byte_bits(__m256i v, int k, __m256i mask) {
  return _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(k)), mask);
}

// Q2_K and Q3_K weight each 32 values by two 16-value sub-block scales: a vector of int16
// whose low half is scale 2g and high half scale 2g+1, cut from the 16 int8 scales (copied to
// both 128-bit lanes) by one byte shuffle that puts the scale in the high byte of each int16,
// and an arithmetic shift that brings it down with its sign. Mask g: per lane, byte 2i zeroed
// (0x80), byte 2i+1 = 2g (low lane) or 2g+1 (high lane).
struct ScaleMasks {
  alignas(32) uint8_t m[8][32];
};
constexpr ScaleMasks make_scale_masks() {
  ScaleMasks s{};
  for (int g = 0; g < 8; ++g)
    for (int i = 0; i < 32; ++i) s.m[g][i] = static_cast<uint8_t>(i % 2 == 0 ? 0x80 : 2 * g + i / 16);
  return s;
}
constexpr ScaleMasks kScaleMasks = make_scale_masks();

inline __m256i pair_scales(__m256i scales_both_lanes, int g) {
  return _mm256_srai_epi16(_mm256_shuffle_epi8(scales_both_lanes, load(kScaleMasks.m[g])), 8);
}

// Q4_K/Q5_K's 12 bytes as eight scales (bytes 0..7 of sc) and eight minimums (bytes 0..7 of
// m), four at a time in 32-bit words (kquants.h's scale_min for every sub-block at once).
inline void unpack_scale_min(const uint8_t* p, uint32_t sc[2], uint32_t m[2]) {
  uint32_t w[3];
  __builtin_memcpy(w, p, 12);
  sc[0] = w[0] & 0x3f3f3f3fu;
  m[0] = w[1] & 0x3f3f3f3fu;
  sc[1] = (w[2] & 0x0f0f0f0fu) | (((w[0] >> 6) & 0x03030303u) << 4);
  m[1] = ((w[2] >> 4) & 0x0f0f0f0fu) | (((w[1] >> 6) & 0x03030303u) << 4);
}

// Sum over 32-value sub-blocks of minimum * (sum of the activation quants): bsums hold 16-value
// sums, added in pairs.
inline int minimums_32(const int16_t* bsums, const uint32_t m[2]) {
  const __m128i b = _mm_hadd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums)),
                                   _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums + 8)));
  const __m128i mins = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(m[1]), static_cast<int>(m[0])));
  __m128i s = _mm_madd_epi16(mins, b);
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

[[gnu::always_inline]] inline float dot_q2_k(const BlockQ2_K& x, const BlockQ8_K& y) {
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x.scales));
  const __m128i low4 = _mm_set1_epi8(0xF);
  const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), low4));
  const int summ = hsum_i32(_mm256_madd_epi16(mins, load(y.bsums)));
  const __m256i scales = _mm256_broadcastsi128_si256(_mm_and_si128(packed, low4));
  const __m256i m3 = _mm256_set1_epi8(3);
  __m256i acc = _mm256_setzero_si256();
  for (int h = 0; h < 2; ++h) {
    const __m256i bits = load(x.qs + 32 * h);
    for (int s = 0; s < 4; ++s) {
      const __m256i p = _mm256_maddubs_epi16(byte_bits(bits, 2 * s, m3), load(y.qs + 128 * h + 32 * s));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, pair_scales(scales, 4 * h + s)));
    }
  }
  return y.d * half(x.d) * static_cast<float>(hsum_i32(acc)) - y.d * half(x.dmin) * static_cast<float>(summ);
}

[[gnu::always_inline]] inline float dot_q3_k(const BlockQ3_K& x, const BlockQ8_K& y) {
  // The 16 six-bit scales, four per 32-bit word: low nibbles from bytes 0..7 (low, then high
  // nibbles), top two bits from bytes 8..11 (bit pairs 0, 1, 2, 3 of each byte in turn).
  uint32_t w[3];
  __builtin_memcpy(w, x.scales, 12);
  const uint32_t s0 = (w[0] & 0x0f0f0f0fu) | ((w[2] & 0x03030303u) << 4);
  const uint32_t s1 = (w[1] & 0x0f0f0f0fu) | (((w[2] >> 2) & 0x03030303u) << 4);
  const uint32_t s2 = ((w[0] >> 4) & 0x0f0f0f0fu) | (((w[2] >> 4) & 0x03030303u) << 4);
  const uint32_t s3 = ((w[1] >> 4) & 0x0f0f0f0fu) | (((w[2] >> 6) & 0x03030303u) << 4);
  // Assembled in registers: a 16-byte load of four just-stored words would stall on store
  // forwarding once per super-block.
  const __m128i sc8 = _mm_sub_epi8(_mm_set_epi32(static_cast<int>(s3), static_cast<int>(s2), static_cast<int>(s1),
                                                 static_cast<int>(s0)),
                                   _mm_set1_epi8(32));
  const __m256i scales = _mm256_broadcastsi128_si256(sc8);
  const __m256i m3 = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4), zero = _mm256_setzero_si256();
  const __m256i hm = load(x.hmask);
  __m256i acc = _mm256_setzero_si256();
  for (int h = 0; h < 2; ++h) {
    const __m256i bits = load(x.qs + 32 * h);
    for (int s = 0; s < 4; ++s) {
      // q = low two bits - (4 unless the high bit is set): maddubs takes unsigned quants, so
      // the two parts are multiplied separately and subtracted.
      const __m256i clear = _mm256_cmpeq_epi8(_mm256_and_si256(hm, _mm256_set1_epi8(static_cast<char>(1 << (4 * h + s)))), zero);
      const __m256i a = load(y.qs + 128 * h + 32 * s);
      const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(byte_bits(bits, 2 * s, m3), a),
                                         _mm256_maddubs_epi16(_mm256_and_si256(clear, four), a));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, pair_scales(scales, 4 * h + s)));
    }
  }
  return y.d * half(x.d) * static_cast<float>(hsum_i32(acc));
}

[[gnu::always_inline]] inline float dot_q4_k(const BlockQ4_K& x, const BlockQ8_K& y) {
  uint32_t sc_words[2], m[2];
  unpack_scale_min(x.scales, sc_words, m);
  uint8_t sc[8];
  __builtin_memcpy(sc, sc_words, 8);
  const __m256i low = _mm256_set1_epi8(0xF);
  __m256i acc = _mm256_setzero_si256();
  for (int j = 0; j < 4; ++j) {
    const __m256i bits = load(x.qs + 32 * j);
    const __m256i p0 = _mm256_maddubs_epi16(_mm256_and_si256(bits, low), load(y.qs + 64 * j));
    const __m256i p1 = _mm256_maddubs_epi16(byte_bits(bits, 4, low), load(y.qs + 64 * j + 32));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * j])));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * j + 1])));
  }
  return y.d * half(x.d) * static_cast<float>(hsum_i32(acc)) -
         y.d * half(x.dmin) * static_cast<float>(minimums_32(y.bsums, m));
}

[[gnu::always_inline]] inline float dot_q5_k(const BlockQ5_K& x, const BlockQ8_K& y) {
  uint32_t sc_words[2], m[2];
  unpack_scale_min(x.scales, sc_words, m);
  uint8_t sc[8];
  __builtin_memcpy(sc, sc_words, 8);
  const __m256i low = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
  const __m256i hb = load(x.qh);
  __m256i acc = _mm256_setzero_si256();
  for (int j = 0; j < 4; ++j) {
    const __m256i bits = load(x.qs + 32 * j);
    const __m256i q0 = _mm256_or_si256(_mm256_and_si256(bits, low), _mm256_slli_epi16(byte_bits(hb, 2 * j, one), 4));
    const __m256i q1 = _mm256_or_si256(byte_bits(bits, 4, low), _mm256_slli_epi16(byte_bits(hb, 2 * j + 1, one), 4));
    const __m256i p0 = _mm256_maddubs_epi16(q0, load(y.qs + 64 * j));
    const __m256i p1 = _mm256_maddubs_epi16(q1, load(y.qs + 64 * j + 32));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * j])));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * j + 1])));
  }
  return y.d * half(x.d) * static_cast<float>(hsum_i32(acc)) -
         y.d * half(x.dmin) * static_cast<float>(minimums_32(y.bsums, m));
}

template <class Block, float (*Dot)(const Block&, const BlockQ8_K&)>
void matvec_rows(const Matrix& W, const void* xv, float* y, int64_t r0, int64_t r1) {
  const auto* x = static_cast<const BlockQ8_K*>(xv);
  const int nb = W.cols / kQK;
  for (int64_t r = r0; r < r1; ++r) {
    const auto* w = reinterpret_cast<const Block*>(W.row(static_cast<int>(r)));
    float s = 0.0f;
    for (int b = 0; b < nb; ++b) s += Dot(w[b], x[b]);
    y[r] = s;
  }
}

// Rows outer, a tile of tokens inner: each weight super-block is read once per tile and dotted
// with every token's activation block; the row (a few KB) stays in L1 across tiles.
template <class Block, float (*Dot)(const Block&, const BlockQ8_K&)>
void matmul_rows(const Matrix& W, const void* Xv, int T, float* Y, int64_t r0, int64_t r1) {
  constexpr int kTile = 8;
  const auto* X = static_cast<const BlockQ8_K*>(Xv);
  const int nb = W.cols / kQK;
  for (int64_t r = r0; r < r1; ++r) {
    const auto* w = reinterpret_cast<const Block*>(W.row(static_cast<int>(r)));
    for (int t0 = 0; t0 < T; t0 += kTile) {
      const int tn = T - t0 < kTile ? T - t0 : kTile;
      float acc[kTile] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (int b = 0; b < nb; ++b)
        for (int t = 0; t < tn; ++t) acc[t] += Dot(w[b], X[static_cast<int64_t>(t0 + t) * nb + b]);
      for (int t = 0; t < tn; ++t) Y[static_cast<int64_t>(t0 + t) * W.rows + r] = acc[t];
    }
  }
}

}  // namespace

void matvec_rows_q2_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) {
  matvec_rows<BlockQ2_K, dot_q2_k>(W, x, y, r0, r1);
}
void matvec_rows_q3_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) {
  matvec_rows<BlockQ3_K, dot_q3_k>(W, x, y, r0, r1);
}
void matvec_rows_q4_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) {
  matvec_rows<BlockQ4_K, dot_q4_k>(W, x, y, r0, r1);
}
void matvec_rows_q5_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) {
  matvec_rows<BlockQ5_K, dot_q5_k>(W, x, y, r0, r1);
}
void matmul_rows_q2_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  matmul_rows<BlockQ2_K, dot_q2_k>(W, X, T, Y, r0, r1);
}
void matmul_rows_q3_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  matmul_rows<BlockQ3_K, dot_q3_k>(W, X, T, Y, r0, r1);
}
void matmul_rows_q4_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  matmul_rows<BlockQ4_K, dot_q4_k>(W, X, T, Y, r0, r1);
}
void matmul_rows_q5_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  matmul_rows<BlockQ5_K, dot_q5_k>(W, X, T, Y, r0, r1);
}

}  // namespace airtp::simd

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
