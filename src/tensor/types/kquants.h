// GGML's k-quant weight formats Q2_K..Q5_K: 256-value super-blocks (kQK) cut into sub-blocks of
// 16 or 32 values, each with a small integer scale (and, except Q3_K, a minimum) that is itself
// scaled by the super-block's fp16 d (and dmin). Their kernels take Q8_K activations.
//
// The helpers here are the pieces the four codecs share: the 12-byte packing of eight 6-bit
// scales and eight 6-bit minimums (Q4_K, Q5_K), and the searches llama.cpp's reference
// quantizers use to pick a sub-block's scale (and minimum).
#pragma once
#include <cstdint>
#include <cstring>

#include "tensor/types/q8_k.h"

namespace airtp {

// value = d * sc * q - dmin * m; sc (low nibble), m (high nibble) per 16 values in scales[];
// q: 2 bits, four values per byte (values v, v+32, v+64, v+96 of each 128 share a byte).
struct BlockQ2_K {
  uint8_t scales[kQK / 16];
  uint8_t qs[kQK / 4];
  uint16_t d, dmin;
};
static_assert(sizeof(BlockQ2_K) == 84, "Q2_K block must match GGML's 84-byte layout");

// value = d * (sc - 32) * (q - 4): q's low 2 bits as in Q2_K, its third bit in hmask (value v
// at byte v % 32, bit v / 32) where a set bit means "no -4"; 16 signed 6-bit scales in 12 bytes.
struct BlockQ3_K {
  uint8_t hmask[kQK / 8];
  uint8_t qs[kQK / 4];
  uint8_t scales[12];
  uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110, "Q3_K block must match GGML's 110-byte layout");

// value = d * sc * q - dmin * m per 32 values; q: 4 bits (values v and v+32 of each 64 share a
// byte, low nibble first).
struct BlockQ4_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block must match GGML's 144-byte layout");

// Q4_K plus a fifth bit per value in qh (value v at byte v % 32, bit v / 32).
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[kQK / 8];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block must match GGML's 176-byte layout");

namespace kquant {

// Scale and minimum of sub-block j (0..7) from the 12-byte packing: j < 4 keep their six bits
// in bytes j and j+4; j >= 4 have their low four bits in byte j+4 and their top two bits in
// the spare top bits of bytes j-4 (scale) and j (minimum).
inline void scale_min(const uint8_t* packed, int j, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = packed[j] & 63;
    m = packed[j + 4] & 63;
  } else {
    sc = static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
    m = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}
// The inverse: eight scales and minimums (each < 64) into 12 bytes.
void pack_scale_min(const uint8_t sc[8], const uint8_t m[8], uint8_t packed[12]);

// Round to nearest, ties to even, as llama.cpp's quantizers do (its float trick, valid for
// |x| < 2^22, which every caller keeps to).
inline int nearest_int(float x) {
  const float v = x + 12582912.0f;
  int32_t i;
  std::memcpy(&i, &v, 4);
  return (i & 0x007fffff) - 0x00400000;
}

// A scale s and minimum -the_min for n values in quants L[i] in [0, nmax] such that
// x ~ s * L - the_min, searched over nstep+1 candidate scales (nmax + rmin + k * rdelta over the
// range) by weighted least squares, keeping the one with the smallest weighted error (absolute
// when use_mad, squared otherwise). Returns s. Laux: n bytes of scratch.
float fit_scale_min(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min,
                    uint8_t* Laux, float rmin, float rdelta, int nstep, bool use_mad);

// A signed scale s for n values with quants L[i] - nmax, L[i] in [0, 2 nmax), refined by a few
// rounds of per-value moves that raise the x^2-weighted fit; 0 (and L = 0) for an all-zero x.
float fit_symmetric_scale(int n, int nmax, const float* x, int8_t* L);

// The reference quantizer of Q4_K and Q5_K (llama.cpp's, without importance matrix) up to the
// bit packing of the quants: fills L[256] with quants in [0, nmax] and writes d, dmin and the
// 12 packed scale/minimum bytes. rmin, nstep: fit_scale_min's search (Q4_K -1/20, Q5_K -0.5/15).
void quantize_scale_min_superblock(const float* x, int nmax, float rmin, int nstep, uint8_t L[kQK], uint16_t& d_out,
                                   uint16_t& dmin_out, uint8_t packed[12]);

// Throws std::invalid_argument naming `where` unless n is a non-negative multiple of 256.
void check_superblocks(int64_t n, const char* where);

}  // namespace kquant
}  // namespace airtp
