// Small AVX2 helpers the three AVX2 kernel files share. Include this ONLY inside such a file's
// target pragma region and its anonymous namespace (after <immintrin.h> and every other
// include, before it): each file then gets its own internal-linkage copy compiled for AVX2,
// which the linkage rules of kernels_avx2.cpp require. Deliberately no #pragma once and no
// includes of its own.

// Sum of the 8 float lanes.
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Sum of the 8 int32 lanes.
inline int hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

// An IEEE half as float (F16C).
inline float half(uint16_t h) { return _cvtsh_ss(h); }
