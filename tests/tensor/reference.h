// Independent references for the tensor tests: weights decoded straight from their bit layout
// into double (no library code), naive double-precision products, and a switch between the
// portable and the SIMD kernels.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
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
      case DType::Q8_K:  // an activation format, not in table_types()
        break;
    }
  }
  return out;
}

// y = W x in double, and sum |w_j x_j| per row: the scale float rounding errors are relative to.
inline void matvec_ref(const Matrix& W, const float* x, std::vector<double>& y,
                       std::vector<double>& mag) {
  y.assign(static_cast<size_t>(W.rows), 0.0);
  mag.assign(static_cast<size_t>(W.rows), 0.0);
  for (int r = 0; r < W.rows; ++r) {
    const auto w = row_values(W, r);
    for (int c = 0; c < W.cols; ++c) {
      y[r] += w[c] * x[c];
      mag[r] += std::fabs(w[c] * x[c]);
    }
  }
}

// A random matrix of the given type and its storage. F16 and Q8_0 bytes are written directly
// (random halves / random scales and int8s), not through the library's encoders.
struct TestMatrix {
  std::vector<uint8_t> storage;
  Matrix view;
};

inline uint16_t random_half(std::mt19937& rng, int min_exp, int max_exp) {
  std::uniform_int_distribution<int> e(min_exp + 15, max_exp + 15), m(0, 1023), s(0, 1);
  return static_cast<uint16_t>((s(rng) << 15) | (e(rng) << 10) | m(rng));
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
