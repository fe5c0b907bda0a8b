// AVX2+FMA+F16C bodies of the weight products. Only this file is compiled for those extensions
// (by a target pragma, not -mavx2, so the rest of the library runs on any x86-64); kernels.cpp
// calls into it only after checking the CPU at run time.
//
// Everything here has internal linkage except the entry points of tensor/simd_rows.h: an inline function or
// template instantiated under the AVX2 target with external linkage could be picked by the
// linker for other files too and fault on older CPUs. For the same reason no std:: template is
// used inside the pragma region and all headers are included before it, except
// tensor/avx2_reductions.h, written to be included inside (helpers the AVX2 files share).
#include <immintrin.h>

#include <cstdint>

#include "tensor/simd_rows.h"
#include "tensor/types/q8_0.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#if defined(__clang__)
// clang ignores GCC's target pragma; its own form applies the same target to every function.
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

namespace airtp::simd {
namespace {

#include "tensor/avx2_reductions.h"  // hsum, half: see its header comment

inline __m256 load_q8x8(const int8_t* q) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q))));
}

inline __m256 load_f16x8(const uint16_t* h) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
}

// ---- matvec: one row at a time, every weight byte streamed once --------------------------

float dot_f32(const float* w, const float* x, int n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
  }
  for (; i + 8 <= n; i += 8) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
  }
  float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; ++i) s += w[i] * x[i];
  return s;
}

float dot_f16(const uint16_t* w, const float* x, int n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_fmadd_ps(load_f16x8(w + i), _mm256_loadu_ps(x + i), a0);
    a1 = _mm256_fmadd_ps(load_f16x8(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    a2 = _mm256_fmadd_ps(load_f16x8(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
    a3 = _mm256_fmadd_ps(load_f16x8(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_f16x8(w + i), _mm256_loadu_ps(x + i), a0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  for (; i < n; ++i) s += half(w[i]) * x[i];
  return s;
}

// Sum of q*x within a block first, then one multiply by the block scale: 5 vector ops per
// 32 weights instead of 8, and two accumulators so consecutive blocks do not wait on each other.
inline __m256 q8_block(const BlockQ8_0& b, const float* x) {
  __m256 s = _mm256_mul_ps(load_q8x8(b.qs), _mm256_loadu_ps(x));
  s = _mm256_fmadd_ps(load_q8x8(b.qs + 8), _mm256_loadu_ps(x + 8), s);
  s = _mm256_fmadd_ps(load_q8x8(b.qs + 16), _mm256_loadu_ps(x + 16), s);
  s = _mm256_fmadd_ps(load_q8x8(b.qs + 24), _mm256_loadu_ps(x + 24), s);
  return s;
}

float dot_q8_0(const BlockQ8_0* b, const float* x, int n) {
  const int nb = n / kQ8Block;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0;
  int i = 0;
  for (; i + 2 <= nb; i += 2) {
    a0 = _mm256_fmadd_ps(_mm256_set1_ps(half(b[i].d)), q8_block(b[i], x + i * 32), a0);
    a1 = _mm256_fmadd_ps(_mm256_set1_ps(half(b[i + 1].d)),
                         q8_block(b[i + 1], x + (i + 1) * 32), a1);
  }
  if (i < nb) {
    a0 = _mm256_fmadd_ps(_mm256_set1_ps(half(b[i].d)), q8_block(b[i], x + i * 32), a0);
  }
  return hsum(_mm256_add_ps(a0, a1));
}

// ---- matmul: a tile of RT rows x TT tokens shares every weight load --------------------------

// Weight-row readers for the tile kernel: begin(b) positions on 32-column block b, chunk(k)
// gives its k-th 8 weights as floats. Q8_0 weights are scaled as they are decoded (d * q is
// exact in float), which costs one multiply per 8 weights but leaves the token loop pure FMA.
struct F32Row {
  const float* w = nullptr;
  const float* p = nullptr;
  F32Row() = default;
  explicit F32Row(const uint8_t* row) : w(reinterpret_cast<const float*>(row)) {}
  void begin(int b) { p = w + 32 * b; }
  __m256 chunk(int k) const { return _mm256_loadu_ps(p + 8 * k); }
  __m256 at(int c) const { return _mm256_loadu_ps(w + c); }
  float scalar(int c) const { return w[c]; }
};

struct F16Row {
  const uint16_t* w = nullptr;
  const uint16_t* p = nullptr;
  F16Row() = default;
  explicit F16Row(const uint8_t* row) : w(reinterpret_cast<const uint16_t*>(row)) {}
  void begin(int b) { p = w + 32 * b; }
  __m256 chunk(int k) const { return load_f16x8(p + 8 * k); }
  __m256 at(int c) const { return load_f16x8(w + c); }
  float scalar(int c) const { return half(w[c]); }
};

struct Q8Row {
  const BlockQ8_0* w = nullptr;
  const int8_t* q = nullptr;
  __m256 d = _mm256_setzero_ps();
  Q8Row() = default;
  explicit Q8Row(const uint8_t* row) : w(reinterpret_cast<const BlockQ8_0*>(row)) {}
  void begin(int b) {
    d = _mm256_set1_ps(half(w[b].d));
    q = w[b].qs;
  }
  __m256 chunk(int k) const { return _mm256_mul_ps(d, load_q8x8(q + 8 * k)); }
  // Q8_0 rows are whole blocks: the column tail below never runs for them.
  __m256 at(int) const { return _mm256_setzero_ps(); }
  float scalar(int) const { return 0.0f; }
};

template <class Row, int RT, int TT>
void tile(const Matrix& W, int64_t r, const float* X, int64_t t0, float* Y) {
  const int cols = W.cols;
  Row rows[RT];
  for (int i = 0; i < RT; ++i) rows[i] = Row(W.row(static_cast<int>(r + i)));
  const float* x[TT];
  for (int t = 0; t < TT; ++t) x[t] = X + (t0 + t) * cols;
  __m256 acc[RT][TT];
  for (int i = 0; i < RT; ++i)
    for (int t = 0; t < TT; ++t) acc[i][t] = _mm256_setzero_ps();

  const int nb = cols / 32;
  for (int b = 0; b < nb; ++b) {
    for (int i = 0; i < RT; ++i) rows[i].begin(b);
    const int c = 32 * b;
#pragma GCC unroll 4  // clang reads it too
    for (int k = 0; k < 4; ++k) {
      __m256 w[RT];
      for (int i = 0; i < RT; ++i) w[i] = rows[i].chunk(k);
      for (int t = 0; t < TT; ++t) {
        const __m256 xv = _mm256_loadu_ps(x[t] + c + 8 * k);
        for (int i = 0; i < RT; ++i) acc[i][t] = _mm256_fmadd_ps(w[i], xv, acc[i][t]);
      }
    }
  }
  int c = nb * 32;
  for (; c + 8 <= cols; c += 8) {
    __m256 w[RT];
    for (int i = 0; i < RT; ++i) w[i] = rows[i].at(c);
    for (int t = 0; t < TT; ++t) {
      const __m256 xv = _mm256_loadu_ps(x[t] + c);
      for (int i = 0; i < RT; ++i) acc[i][t] = _mm256_fmadd_ps(w[i], xv, acc[i][t]);
    }
  }
  float s[RT][TT];
  for (int i = 0; i < RT; ++i)
    for (int t = 0; t < TT; ++t) s[i][t] = hsum(acc[i][t]);
  for (; c < cols; ++c) {
    for (int i = 0; i < RT; ++i)
      for (int t = 0; t < TT; ++t) s[i][t] += rows[i].scalar(c) * x[t][c];
  }
  for (int i = 0; i < RT; ++i)
    for (int t = 0; t < TT; ++t) Y[(t0 + t) * W.rows + r + i] = s[i][t];
}

// 2 rows x 6 tokens: 12 accumulators + 2 weight vectors + 1 activation vector of the 16 ymm
// registers, and each activation load feeds two FMAs. (Measured on Zen 4 at T = 16: 2x6 beat
// 2x4, 2x5, 2x7, 3x4, 4x3 and 1x8 by 10-40%; larger tiles spill.)
constexpr int kRowTile = 2;
constexpr int kTokTile = 6;

// The last tokens of a group, fewer than a full tile: picks the tile<..., rem> instance.
template <class Row, int RT, int TT>
void tile_remainder(const Matrix& W, int64_t r, const float* X, int64_t t, int64_t rem, float* Y) {
  if constexpr (TT > 0) {
    if (rem == TT) return tile<Row, RT, TT>(W, r, X, t, Y);
    tile_remainder<Row, RT, TT - 1>(W, r, X, t, rem, Y);
  }
}

template <class Row, int RT>
void tile_tokens(const Matrix& W, int64_t r, const float* X, int64_t t0, int64_t t1, float* Y) {
  int64_t t = t0;
  for (; t + kTokTile <= t1; t += kTokTile) tile<Row, RT, kTokTile>(W, r, X, t, Y);
  tile_remainder<Row, RT, kTokTile - 1>(W, r, X, t, t1 - t, Y);
}

template <class Row>
void matmul_rows(const Matrix& W, const float* X, int T, float* Y, int64_t r0, int64_t r1) {
  // Rows outer, tokens inner: a row pair comes from memory once and stays in L1 while every
  // token of the group passes over it. The group is as many tokens as fit in ~1 MB of L2, so
  // for long prompts the weights are read once per group rather than once per token.
  const int64_t row_floats = W.cols > 0 ? W.cols : 1;
  int64_t group = (int64_t{1} << 18) / row_floats / kTokTile * kTokTile;
  if (group < kTokTile) group = kTokTile;
  for (int64_t g0 = 0; g0 < T; g0 += group) {
    const int64_t g1 = g0 + group < T ? g0 + group : T;
    int64_t r = r0;
    for (; r + kRowTile <= r1; r += kRowTile) tile_tokens<Row, kRowTile>(W, r, X, g0, g1, Y);
    for (; r < r1; ++r) tile_tokens<Row, 1>(W, r, X, g0, g1, Y);
  }
}

}  // namespace

void matvec_rows_f32(const Matrix& W, const void* xv, float* y, int64_t r0, int64_t r1) {
  const auto* x = static_cast<const float*>(xv);
  for (int64_t r = r0; r < r1; ++r) y[r] = dot_f32(reinterpret_cast<const float*>(W.row(static_cast<int>(r))), x, W.cols);
}

void matvec_rows_f16(const Matrix& W, const void* xv, float* y, int64_t r0, int64_t r1) {
  const auto* x = static_cast<const float*>(xv);
  for (int64_t r = r0; r < r1; ++r)
    y[r] = dot_f16(reinterpret_cast<const uint16_t*>(W.row(static_cast<int>(r))), x, W.cols);
}

void matvec_rows_q8_0(const Matrix& W, const void* xv, float* y, int64_t r0, int64_t r1) {
  const auto* x = static_cast<const float*>(xv);
  for (int64_t r = r0; r < r1; ++r)
    y[r] = dot_q8_0(reinterpret_cast<const BlockQ8_0*>(W.row(static_cast<int>(r))), x, W.cols);
}

void matmul_rows_f32(const Matrix& W, const void* Xv, int T, float* Y, int64_t r0, int64_t r1) {
  const auto* X = static_cast<const float*>(Xv);
  matmul_rows<F32Row>(W, X, T, Y, r0, r1);
}

void matmul_rows_f16(const Matrix& W, const void* Xv, int T, float* Y, int64_t r0, int64_t r1) {
  const auto* X = static_cast<const float*>(Xv);
  matmul_rows<F16Row>(W, X, T, Y, r0, r1);
}

void matmul_rows_q8_0(const Matrix& W, const void* Xv, int T, float* Y, int64_t r0, int64_t r1) {
  const auto* X = static_cast<const float*>(Xv);
  matmul_rows<Q8Row>(W, X, T, Y, r0, r1);
}

}  // namespace airtp::simd

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
