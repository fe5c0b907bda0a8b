// Independent references for the tensor tests: weights decoded straight from their bit layout
// into double (no library code), naive double-precision products, and a switch between the
// portable and the SIMD kernels.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor/kernels.h"
#include "tensor/type_traits.h"
#include "tensor/matrix.h"

namespace airtp::testref {

// Every weight type of the library's type table: the battery runs over each (a new type gets it, and
// its decoder below must be written from the format's description to serve as the oracle).
inline std::vector<DType> table_types() {
  std::vector<DType> out;
  for (const auto& tr : all_types())
    if (!tr.activation_only) out.push_back(tr.type);
  return out;
}

// Value of an IEEE half from its fields, computed in double: 2^(e-15) * 1.m or 2^-14 * 0.m.
inline double half_value(uint16_t h) {
  const int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v;
  if (e == 0x1f) {
    v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  } else if (e == 0) {
    v = std::ldexp(static_cast<double>(m), -24);
  } else {
    v = std::ldexp(static_cast<double>(1024 + m), e - 25);
  }
  return sign ? -v : v;
}

// ---- k-quants (Q2_K..Q5_K): 256-value super-blocks, decoded value by value -------------------
// Quants of 2 bits: value v of a 256 block sits in byte 32*(v/128) + v%32 of qs, bits
// 2*((v%128)/32). Quants of 4 bits: byte 32*(v/64) + v%32, high nibble when (v%64) >= 32.
// The extra bit of Q3_K/Q5_K: byte v%32 of its 32-byte mask, bit v/32.
inline int kq_two_bits(const uint8_t* qs, int v) { return (qs[32 * (v / 128) + v % 32] >> (2 * ((v % 128) / 32))) & 3; }
inline int kq_nibble(const uint8_t* qs, int v) {
  const uint8_t b = qs[32 * (v / 64) + v % 32];
  return (v % 64) < 32 ? b & 0xF : b >> 4;
}
inline int kq_high_bit(const uint8_t* mask, int v) { return (mask[v % 32] >> (v / 32)) & 1; }
// The six-bit scale (which = 0) or minimum (which = 1) of 32-value sub-block j from Q4_K/Q5_K's
// 12 bytes: j < 4 in the low six bits of byte j (+4 for minimums); j >= 4 low nibbles in byte
// j+4 (scale low, minimum high), top two bits in the top bits of byte j-4 (scale) or j (minimum).
inline int kq_six_bit(const uint8_t* s, int j, int which) {
  if (j < 4) return s[j + 4 * which] & 63;
  const int low = which == 0 ? s[j + 4] & 0xF : s[j + 4] >> 4;
  return low | ((s[j - 4 + 4 * which] >> 6) << 4);
}
inline double half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_value(h);
}
// 4-bit code of value j (< 32) of a 32-value block whose qs[16] starts at qs.
inline int nibble(const uint8_t* qs, int j) { return j < 16 ? qs[j] & 15 : qs[j - 16] >> 4; }
// Bit j of the little-endian 32-bit word at p.
inline int high_bit(const uint8_t* p, int j) { return (p[j / 8] >> (j % 8)) & 1; }

// Columns per test unit: 32, or the type's block when longer (Q6_K: 256), so shapes written in
// units hold whole blocks of every type.
inline int unit_cols(DType t) { return block_size(t) > 32 ? block_size(t) : 32; }
// Value v of one k-quant super-block.
inline double kquant_value(DType t, const uint8_t* blk, int v) {
  switch (t) {
    case DType::Q2_K: {  // scales[16] qs[64] d dmin
      const uint8_t sc = blk[v / 16];
      return half_at(blk + 80) * (sc & 0xF) * kq_two_bits(blk + 16, v) - half_at(blk + 82) * (sc >> 4);
    }
    case DType::Q3_K: {  // hmask[32] qs[64] scales[12] d
      const uint8_t* s = blk + 96;
      const int j = v / 16;
      const int sc = ((j < 8 ? s[j] & 0xF : s[j - 8] >> 4) | (((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
      const int q = kq_two_bits(blk + 32, v) - (kq_high_bit(blk, v) ? 0 : 4);
      return half_at(blk + 108) * sc * q;
    }
    case DType::Q4_K:  // d dmin scales[12] qs[128]
      return half_at(blk) * kq_six_bit(blk + 4, v / 32, 0) * kq_nibble(blk + 16, v) -
             half_at(blk + 2) * kq_six_bit(blk + 4, v / 32, 1);
    case DType::Q5_K:  // d dmin scales[12] qh[32] qs[128]
      return half_at(blk) * kq_six_bit(blk + 4, v / 32, 0) * (kq_nibble(blk + 48, v) + 16 * kq_high_bit(blk + 16, v)) -
             half_at(blk + 2) * kq_six_bit(blk + 4, v / 32, 1);
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}
inline bool is_kquant(DType t) { return t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K; }

// Row r of W decoded into doubles from the raw bytes.
inline std::vector<double> row_values(const Matrix& W, int r) {
  std::vector<double> out(static_cast<size_t>(W.cols));
  const uint8_t* p = static_cast<const uint8_t*>(W.data) + W.row_stride() * static_cast<size_t>(r);
  for (int c = 0; c < W.cols; ++c) {
    switch (W.type) {
      case DType::F32: {
        float f;
        std::memcpy(&f, p + 4 * c, 4);
        out[c] = f;
        break;
      }
      case DType::F16: {
        uint16_t h;
        std::memcpy(&h, p + 2 * c, 2);
        out[c] = half_value(h);
        break;
      }
      case DType::Q8_0: {
        const uint8_t* blk = p + 34 * (c / 32);
        uint16_t d;
        std::memcpy(&d, blk, 2);
        out[c] = half_value(d) * static_cast<int8_t>(blk[2 + c % 32]);
        break;
      }
      case DType::Q8_K: {  // activations of the k-quants: float d, int8 qs[256], int16 bsums[16]
        const uint8_t* blk = p + 292 * (c / 256);
        float d;
        std::memcpy(&d, blk, 4);
        out[c] = d * static_cast<int8_t>(blk[4 + c % 256]);
        break;
      }
      // 32-value blocks: byte j % 16 of qs holds value j (< 16) in its low nibble, value j + 16
      // in its high one; the 5-bit types keep bit 4 of value j in bit j of a little-endian u32.
      case DType::Q4_0: {  // half d, qs[16]: d * (q - 8)
        const uint8_t* blk = p + 18 * (c / 32);
        out[c] = half_at(blk) * (nibble(blk + 2, c % 32) - 8);
        break;
      }
      case DType::Q4_1: {  // half d, half m, qs[16]: d * q + m
        const uint8_t* blk = p + 20 * (c / 32);
        out[c] = half_at(blk) * nibble(blk + 4, c % 32) + half_at(blk + 2);
        break;
      }
      case DType::Q5_0: {  // half d, qh[4], qs[16]: d * (q - 16)
        const uint8_t* blk = p + 22 * (c / 32);
        out[c] = half_at(blk) * (nibble(blk + 6, c % 32) + 16 * high_bit(blk + 2, c % 32) - 16);
        break;
      }
      case DType::Q5_1: {  // half d, half m, qh[4], qs[16]: d * q + m
        const uint8_t* blk = p + 24 * (c / 32);
        out[c] = half_at(blk) * (nibble(blk + 8, c % 32) + 16 * high_bit(blk + 4, c % 32)) + half_at(blk + 2);
        break;
      }
      case DType::Q6_K: {  // ql[128], qh[64], int8 scales[16], half d: d * scales[i / 16] * (q - 32)
        // Value i of the super-block: half h = i / 128; within it, l = i % 128 is in quarter
        // g = l / 32 at offset k = l % 32. Low 4 bits: ql[64h + k + 32 (g odd)], low nibble for
        // g < 2, high for g >= 2; top 2 bits: bits 2g, 2g+1 of qh[32h + k].
        const uint8_t* blk = p + 210 * (c / 256);
        const int i = c % 256, h = i / 128, l = i % 128, g = l / 32, k = l % 32;
        const uint8_t lo = blk[64 * h + k + 32 * (g & 1)];
        const int q = (g < 2 ? lo & 15 : lo >> 4) | ((blk[128 + 32 * h + k] >> (2 * g)) & 3) << 4;
        out[c] = half_at(blk + 208) * static_cast<int8_t>(blk[192 + i / 16]) * (q - 32);
        break;
      }
      case DType::Q2_K:
      case DType::Q3_K:
      case DType::Q4_K:
      case DType::Q5_K: {
        const size_t bytes = type_traits(W.type).block_bytes;
        out[c] = kquant_value(W.type, p + bytes * static_cast<size_t>(c / 256), c % 256);
        break;
      }
    }
  }
  return out;
}

// The activations a product of weights of type t multiplies by: x itself, or x encoded in t's
// vec_dot_type by the library and decoded here from the bytes.
inline std::vector<double> activation_values(DType t, const float* x, int n) {
  const DType act = type_traits(t).vec_dot_type;
  if (act == DType::F32) return std::vector<double>(x, x + n);
  std::vector<uint8_t> enc(row_bytes(act, static_cast<size_t>(n)));
  type_traits(act).from_float(x, enc.data(), n);
  return row_values(Matrix{act, 1, n, enc.data()}, 0);
}

// y = W x in double (x as the kernels receive it: see activation_values), and sum |w_j x_j| per row: the scale float rounding errors are relative to.
inline void matvec_ref(const Matrix& W, const float* x, std::vector<double>& y,
                       std::vector<double>& mag) {
  y.assign(static_cast<size_t>(W.rows), 0.0);
  mag.assign(static_cast<size_t>(W.rows), 0.0);
  const auto xa = activation_values(W.type, x, W.cols);
  for (int r = 0; r < W.rows; ++r) {
    const auto w = row_values(W, r);
    for (int c = 0; c < W.cols; ++c) {
      y[r] += w[c] * xa[c];
      mag[r] += std::fabs(w[c] * xa[c]);
    }
  }
}

// A random matrix of the given type and its storage. The bytes are written directly (random
// halves / random scales and codes), not through the library's encoders.
struct TestMatrix {
  std::vector<uint8_t> storage;
  Matrix view;
};

inline uint16_t random_half(std::mt19937& rng, int min_exp, int max_exp) {
  std::uniform_int_distribution<int> e(min_exp + 15, max_exp + 15), m(0, 1023), s(0, 1);
  return static_cast<uint16_t>((s(rng) << 15) | (e(rng) << 10) | m(rng));
}

// Random bytes, with a random half of exponent in [min_exp, max_exp] at each offset of `halves`.
inline void random_block(std::mt19937& rng, uint8_t* blk, size_t bytes, std::initializer_list<size_t> halves,
                         int min_exp, int max_exp) {
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t i = 0; i < bytes; ++i) blk[i] = static_cast<uint8_t>(byte(rng));
  for (size_t off : halves) {
    const uint16_t h = random_half(rng, min_exp, max_exp);
    std::memcpy(blk + off, &h, 2);
  }
}

inline TestMatrix random_matrix(DType type, int rows, int cols, uint32_t seed) {
  std::mt19937 rng(seed);
  TestMatrix t;
  t.view = Matrix{type, rows, cols, nullptr};
  t.storage.resize(t.view.bytes());
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  switch (type) {
    case DType::F32:
      for (size_t i = 0; i < n; ++i) {
        const float f = u(rng);
        std::memcpy(t.storage.data() + 4 * i, &f, 4);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) {
        const uint16_t h = random_half(rng, -8, 0);
        std::memcpy(t.storage.data() + 2 * i, &h, 2);
      }
      break;
    case DType::Q8_0: {
      std::uniform_int_distribution<int> q(-127, 127);
      for (size_t b = 0; b < n / 32; ++b) {
        uint8_t* blk = t.storage.data() + 34 * b;
        const uint16_t d = static_cast<uint16_t>(random_half(rng, -12, -6) & 0x7fff);
        std::memcpy(blk, &d, 2);
        for (int j = 0; j < 32; ++j) blk[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(q(rng)));
      }
      break;
    }
    case DType::Q8_K:  // an activation format, not in table_types()
      break;
    // Random codes; scales of either sign (as GGML's max / -8 gives), offsets of either sign
    // within 2^4 of the scale so that d * q + m stays exact in float like the reference.
    case DType::Q4_0:
    case DType::Q5_0: {
      const size_t bytes = type == DType::Q4_0 ? 18 : 22;
      for (size_t b = 0; b < n / 32; ++b) random_block(rng, t.storage.data() + bytes * b, bytes, {0}, -12, -6);
      break;
    }
    case DType::Q4_1:
    case DType::Q5_1: {
      const size_t bytes = type == DType::Q4_1 ? 20 : 24;
      for (size_t b = 0; b < n / 32; ++b) {
        uint8_t* blk = t.storage.data() + bytes * b;
        random_block(rng, blk, bytes, {}, 0, 0);
        const uint16_t d = static_cast<uint16_t>(random_half(rng, -12, -8) & 0x7fff), m = random_half(rng, -9, -5);
        std::memcpy(blk, &d, 2);
        std::memcpy(blk + 2, &m, 2);
      }
      break;
    }
    case DType::Q6_K:
      for (size_t b = 0; b < n / 256; ++b) random_block(rng, t.storage.data() + 210 * b, 210, {208}, -14, -8);
      break;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K: {
      // Random bytes are valid quants and scales; the fp16 super-block scale d and minimum
      // scale dmin are random with one shared exponent, which keeps every decoded value a sum
      // of terms that float represents exactly (so the library decodes bit-identically).
      std::uniform_int_distribution<int> byte(0, 255), e(-10 + 15, -7 + 15), m(0, 1023), s(0, 1);
      const size_t bytes = type_traits(type).block_bytes;
      const size_t d_at = type == DType::Q2_K ? 80 : type == DType::Q3_K ? 108 : 0;
      for (size_t b = 0; b < n / 256; ++b) {
        uint8_t* blk = t.storage.data() + bytes * b;
        for (size_t i = 0; i < bytes; ++i) blk[i] = static_cast<uint8_t>(byte(rng));
        const int ex = e(rng);
        const uint16_t d = static_cast<uint16_t>((s(rng) << 15) | (ex << 10) | m(rng));
        const uint16_t dmin = static_cast<uint16_t>((ex << 10) | m(rng));
        std::memcpy(blk + d_at, &d, 2);
        if (type != DType::Q3_K) std::memcpy(blk + d_at + 2, &dmin, 2);
      }
      break;
    }
  }
  t.view.data = t.storage.data();
  return t;
}

inline std::vector<float> random_vector(size_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& f : v) f = u(rng);
  return v;
}

// Kernel paths to test: always the portable one, and the AVX2 one when this CPU has it.
inline bool simd_available() {
  force_portable_kernels(false);
  return cpu_has_avx2_fma();
}

inline std::vector<bool> portable_modes() {
  if (simd_available()) return {true, false};
  return {true};
}

inline const char* mode_name(bool portable) { return portable ? "portable" : "avx2"; }

// Forces the portable path for its lifetime and restores run-time dispatch afterwards, so a
// failing test does not leak the forced mode into the next one.
struct PathGuard {
  explicit PathGuard(bool portable) { force_portable_kernels(portable); }
  ~PathGuard() { force_portable_kernels(false); }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;
};

}  // namespace airtp::testref
