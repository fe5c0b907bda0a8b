// AVX2 row kernels of Q4_0, Q4_1, Q5_0, Q5_1 (activations in Q8_0) and Q6_K (activations in
// Q8_K): integer dot products of the weight codes with the 8-bit activations, one float
// multiply per block. Compiled for AVX2 by a target pragma under kernels_avx2.cpp's rules:
// everything internal except the entry points of tensor/simd_rows.h, no std:: template in the
// pragma region, all includes before it.
//
// matvec is matmul with one token. matmul takes the tokens TT at a time: a weight block is
// unpacked once into registers and multiplied with the TT tokens' blocks, so each weight byte
// is read once per TT tokens.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "tensor/simd_rows.h"
#include "tensor/types/q4_0.h"
#include "tensor/types/q4_1.h"
#include "tensor/types/q5_0.h"
#include "tensor/types/q5_1.h"
#include "tensor/types/q6_k.h"
#include "tensor/types/q8_0.h"
#include "tensor/types/q8_k.h"

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

// 16 bytes of nibbles as 32 bytes: low nibbles (values 0..15) in the low lane, high nibbles
// (values 16..31) in the high lane, the order of the activations.
inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

// Byte i = 0xff where bit i of the little-endian 32-bit word at p is set, else 0: each byte
// gets the qh byte holding its bit, then every bit but that one is forced on.
inline __m256i bits_to_bytes(const uint8_t* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(w)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
  const __m256i others = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe);
  return _mm256_cmpeq_epi8(_mm256_or_si256(spread, others), _mm256_set1_epi64x(-1));
}

// Sum over 32 byte pairs of unsigned u times signed s, as 8 int32 lanes.
inline __m256i dot_us(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
// The same for signed w (maddubs wants one unsigned side: |w| times s with w's sign).
inline __m256i dot_ss(__m256i w, __m256i s) { return dot_us(_mm256_sign_epi8(w, w), _mm256_sign_epi8(s, w)); }

inline __m256i load32(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// ---- 32-value blocks against Q8_0 ---------------------------------------------------------------
// A block unpacked: 32 codes, the scale, and for the offset types the offset. Signed types
// (Q4_0, Q5_0) hold code - 8 / code - 16; offset types (Q4_1, Q5_1) hold the unsigned code and
// add m * sum(x), sum(x) being d_x times the sum of the activation block's codes.
struct Unpacked {
  __m256i q;
  float d;
  float m;
};

struct Q4_0Codes {
  using Block = BlockQ4_0;
  static constexpr bool kOffset = false;
  static Unpacked unpack(const Block& b) {
    return {_mm256_sub_epi8(unpack_nibbles(b.qs), _mm256_set1_epi8(8)), half(b.d), 0.0f};
  }
};

struct Q4_1Codes {
  using Block = BlockQ4_1;
  static constexpr bool kOffset = true;
  static Unpacked unpack(const Block& b) { return {unpack_nibbles(b.qs), half(b.d), half(b.m)}; }
};

struct Q5_0Codes {
  using Block = BlockQ5_0;
  static constexpr bool kOffset = false;
  // code - 16 is the nibble where bit 4 is set, and the nibble with 0xf0 over it (nibble - 16
  // as int8) where it is not.
  static Unpacked unpack(const Block& b) {
    const __m256i hi = _mm256_andnot_si256(bits_to_bytes(b.qh), _mm256_set1_epi8(static_cast<char>(0xf0)));
    return {_mm256_or_si256(unpack_nibbles(b.qs), hi), half(b.d), 0.0f};
  }
};

struct Q5_1Codes {
  using Block = BlockQ5_1;
  static constexpr bool kOffset = true;
  static Unpacked unpack(const Block& b) {
    const __m256i hi = _mm256_and_si256(bits_to_bytes(b.qh), _mm256_set1_epi8(0x10));
    return {_mm256_or_si256(unpack_nibbles(b.qs), hi), half(b.d), half(b.m)};
  }
};

// One block of one token into acc (and acc_m for the offset types).
template <class C>
inline void block32(const Unpacked& u, const BlockQ8_0& a, __m256& acc, __m256& acc_m) {
  const __m256i qa = load32(a.qs);
  const float dx = half(a.d);
  if constexpr (C::kOffset) {
    acc = _mm256_fmadd_ps(_mm256_set1_ps(u.d * dx), _mm256_cvtepi32_ps(dot_us(u.q, qa)), acc);
    acc_m = _mm256_fmadd_ps(_mm256_set1_ps(u.m * dx), _mm256_cvtepi32_ps(dot_us(_mm256_set1_epi8(1), qa)), acc_m);
  } else {
    acc = _mm256_fmadd_ps(_mm256_set1_ps(u.d * dx), _mm256_cvtepi32_ps(dot_ss(u.q, qa)), acc);
  }
}

// One token: two blocks per step into two accumulator sets, so consecutive blocks overlap.
template <class C>
float row32(const typename C::Block* w, const BlockQ8_0* x, int nb) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, m0 = a0, m1 = a0;
  int b = 0;
  for (; b + 2 <= nb; b += 2) {
    block32<C>(C::unpack(w[b]), x[b], a0, m0);
    block32<C>(C::unpack(w[b + 1]), x[b + 1], a1, m1);
  }
  if (b < nb) block32<C>(C::unpack(w[b]), x[b], a0, m0);
  return hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(m0, m1)));
}

template <class C, int TT>
void tile32(const Matrix& W, int64_t r, const BlockQ8_0* const* x, float* const* y) {
  if constexpr (TT == 1) {
    y[0][r] = row32<C>(reinterpret_cast<const typename C::Block*>(W.row(static_cast<int>(r))), x[0], W.cols / 32);
    return;
  }
  const auto* w = reinterpret_cast<const typename C::Block*>(W.row(static_cast<int>(r)));
  const int nb = W.cols / 32;
  __m256 acc[TT], acc_m[TT];
  for (int t = 0; t < TT; ++t) acc[t] = acc_m[t] = _mm256_setzero_ps();
  for (int b = 0; b < nb; ++b) {
    const Unpacked u = C::unpack(w[b]);
    for (int t = 0; t < TT; ++t) block32<C>(u, x[t][b], acc[t], acc_m[t]);
  }
  for (int t = 0; t < TT; ++t) y[t][r] = hsum(C::kOffset ? _mm256_add_ps(acc[t], acc_m[t]) : acc[t]);
}

// ---- Q6_K against Q8_K ------------------------------------------------------------------------
// Per super-block: d * d_x * (sum_s scales[s] * sum_{i in s} code_i * x_i - 32 * sum_s scales[s] * bsums[s]),
// codes unsigned 0..63 (a pair of products fits int16: 2 * 63 * 127).
struct Q6Codes {
  __m256i q[8];  // values 32k .. 32k + 31
  __m256i sc[8];  // int16 scales: scales[2k] in the low lane, scales[2k + 1] in the high lane
  __m256i sc16;   // the 16 scales as int16
  float d;
};

inline void unpack_q6(const BlockQ6_K& b, Q6Codes& c) {
  const __m256i m4 = _mm256_set1_epi8(0x0f), m3 = _mm256_set1_epi8(0x03);
  for (int h = 0; h < 2; ++h) {
    const __m256i la = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * h));
    const __m256i lb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * h + 32));
    const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h));
    // Top bits: qh bits 2g, 2g+1 moved to bits 4-5 (16-bit shifts; the mask drops what crosses bytes).
    const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(hb, m3), 4);
    const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m3), 4);
    const __m256i h2 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m3), 4);
    const __m256i h3 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m3), 4);
    c.q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(la, m4), h0);
    c.q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(lb, m4), h1);
    c.q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(la, 4), m4), h2);
    c.q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(lb, 4), m4), h3);
  }
  for (int k = 0; k < 8; ++k)
    c.sc[k] = _mm256_set_m128i(_mm_set1_epi16(b.scales[2 * k + 1]), _mm_set1_epi16(b.scales[2 * k]));
  c.sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
  c.d = half(b.d);
}

template <int TT>
void tile_q6_k(const Matrix& W, int64_t r, const BlockQ8_K* const* x, float* const* y) {
  const auto* w = reinterpret_cast<const BlockQ6_K*>(W.row(static_cast<int>(r)));
  const int nb = W.cols / kQK;
  __m256 acc[TT];
  for (int t = 0; t < TT; ++t) acc[t] = _mm256_setzero_ps();
  Q6Codes c;
  for (int b = 0; b < nb; ++b) {
    unpack_q6(w[b], c);
    for (int t = 0; t < TT; ++t) {
      const BlockQ8_K& a = x[t][b];
      __m256i isum = _mm256_setzero_si256();
      for (int k = 0; k < 8; ++k) {
        const __m256i p = _mm256_maddubs_epi16(c.q[k], load32(a.qs + 32 * k));
        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, c.sc[k]));
      }
      const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bsums));
      isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(_mm256_madd_epi16(bs, c.sc16), 5));
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(c.d * a.d), _mm256_cvtepi32_ps(isum), acc[t]);
    }
  }
  for (int t = 0; t < TT; ++t) y[t][r] = hsum(acc[t]);
}

// ---- rows x tokens --------------------------------------------------------------------------
// Tile(W, r, x, y) computes output row r for TT tokens whose activation rows are x[0..TT) and
// whose outputs are y[0..TT). Tokens go kTok at a time; the last tile takes the remainder.
constexpr int kTok = 4;

template <class Act, int TT, class Kernel>
void tokens_tile(const Matrix& W, const uint8_t* X, size_t stride, float* Y, int64_t t0, int64_t r0, int64_t r1,
                 Kernel kernel) {
  const Act* x[TT];
  float* y[TT];
  for (int t = 0; t < TT; ++t) {
    x[t] = reinterpret_cast<const Act*>(X + stride * static_cast<size_t>(t0 + t));
    y[t] = Y + (t0 + t) * W.rows;
  }
  for (int64_t r = r0; r < r1; ++r) kernel.template run<TT>(W, r, x, y);
}

template <class Act, class Kernel>
void rows_tokens(const Matrix& W, const void* Xv, int T, float* Y, int64_t r0, int64_t r1, size_t stride) {
  const auto* X = static_cast<const uint8_t*>(Xv);
  int64_t t = 0;
  for (; t + kTok <= T; t += kTok) tokens_tile<Act, kTok>(W, X, stride, Y, t, r0, r1, Kernel{});
  switch (T - t) {
    case 3: tokens_tile<Act, 3>(W, X, stride, Y, t, r0, r1, Kernel{}); break;
    case 2: tokens_tile<Act, 2>(W, X, stride, Y, t, r0, r1, Kernel{}); break;
    case 1: tokens_tile<Act, 1>(W, X, stride, Y, t, r0, r1, Kernel{}); break;
    default: break;
  }
}

template <class C>
struct Legacy {
  template <int TT>
  void run(const Matrix& W, int64_t r, const BlockQ8_0* const* x, float* const* y) const {
    tile32<C, TT>(W, r, x, y);
  }
};

struct Q6K {
  template <int TT>
  void run(const Matrix& W, int64_t r, const BlockQ8_K* const* x, float* const* y) const {
    tile_q6_k<TT>(W, r, x, y);
  }
};

template <class C>
void legacy_rows(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  rows_tokens<BlockQ8_0, Legacy<C>>(W, X, T, Y, r0, r1, static_cast<size_t>(W.cols / 32) * sizeof(BlockQ8_0));
}

void q6_k_rows(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) {
  rows_tokens<BlockQ8_K, Q6K>(W, X, T, Y, r0, r1, static_cast<size_t>(W.cols / kQK) * sizeof(BlockQ8_K));
}

}  // namespace

void matvec_rows_q4_0(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) { legacy_rows<Q4_0Codes>(W, x, 1, y, r0, r1); }
void matvec_rows_q4_1(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) { legacy_rows<Q4_1Codes>(W, x, 1, y, r0, r1); }
void matvec_rows_q5_0(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) { legacy_rows<Q5_0Codes>(W, x, 1, y, r0, r1); }
void matvec_rows_q5_1(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) { legacy_rows<Q5_1Codes>(W, x, 1, y, r0, r1); }
void matvec_rows_q6_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1) { q6_k_rows(W, x, 1, y, r0, r1); }
void matmul_rows_q4_0(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) { legacy_rows<Q4_0Codes>(W, X, T, Y, r0, r1); }
void matmul_rows_q4_1(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) { legacy_rows<Q4_1Codes>(W, X, T, Y, r0, r1); }
void matmul_rows_q5_0(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) { legacy_rows<Q5_0Codes>(W, X, T, Y, r0, r1); }
void matmul_rows_q5_1(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) { legacy_rows<Q5_1Codes>(W, X, T, Y, r0, r1); }
void matmul_rows_q6_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1) { q6_k_rows(W, X, T, Y, r0, r1); }

}  // namespace airtp::simd

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif
