// matvec and matmul for every weight type, on the portable and the AVX2 path, against a naive
// double-precision product of the weights decoded straight from their bytes.
//
// Tolerance: |y - y_ref| <= 1e-5 * sum_j |w_j x_j| per output. The kernels accumulate in float
// over >= 8 partial sums of <= 4128/8 terms; the typical error of such sums is ~sqrt(516) *
// 6e-8 ~ 1.4e-6 of that magnitude and the worst case ~516 * 6e-8 ~ 3e-5, but a wrong weight,
// scale, row or token shows up at >= 1e-2. Integer-valued data (exact in float) must match
// exactly on every path. Types whose kernels take 8-bit activations (vec_dot_type Q8_0, Q8_K)
// are compared with the product by the activations as encoded (reference.h: activation_values),
// so the tolerance stays one of float rounding, not of the activations' quantization.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference.h"
#include "tensor/kernels.h"

namespace airtp {
namespace {

using namespace testref;

constexpr double kRelTol = 1e-5;

struct Shape {
  int rows, cols;
};

std::vector<Shape> shapes_for(DType t) {
  if (block_size(t) == 256) {
    // Super-block types: whole 256-value blocks; 401 x 4352 is above the threading threshold
    // even at Q2_K's 84 bytes per 256 values (401 rows: prime).
    return {{1, 256}, {7, 512}, {33, 4096 + 256}, {401, 4096 + 256}, {257, 512}, {5, 4096}, {64, 256}};
  }
  // 131 x 4128 is above the kernels' 512 KB threshold for splitting rows over threads in every
  // type (131 rows: not divisible by 2 or 3 threads); the others mostly run on one thread.
  const int u = unit_cols(t);
  std::vector<Shape> s = {{1, u}, {7, 2 * u}, {33, 4096 + u}, {131, 4096 + u}, {257, 512},
                          {5, 4096}, {64, u}};
  if (block_size(t) == 1) {
    // Element-granular types: columns that are no multiple of 32 or 8 exercise the tails.
    s.insert(s.end(), {{3, 7}, {9, 45}, {11, 1}, {13, 4096 + 37}});
  }
  return s;
}

void expect_close(const std::vector<float>& y, const std::vector<double>& ref,
                  const std::vector<double>& mag, const std::string& what) {
  ASSERT_EQ(y.size(), ref.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_LE(std::fabs(y[i] - ref[i]), kRelTol * mag[i] + 1e-30)
        << what << " output " << i << ": got " << y[i] << ", reference " << ref[i];
  }
}

// Both paths' matvec and matmul of W with the T tokens of X equal the exact product with the
// weights `wf` (rows x cols, row-major) bit for bit: the data are chosen so that every product
// and partial sum is exact in float.
void expect_exact_products(const Matrix& W, const std::vector<float>& wf, const std::vector<float>& X, int T) {
  const int rows = W.rows, cols = W.cols;
  ThreadPool pool(2);
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    std::vector<float> y(rows), Y(static_cast<size_t>(T) * rows);
    matvec(W, X.data(), y.data(), pool);
    matmul(W, X.data(), T, Y.data(), pool);
    for (int t = 0; t < T; ++t) {
      for (int r = 0; r < rows; ++r) {
        double ref = 0;
        for (int c = 0; c < cols; ++c) {
          ref += double(wf[static_cast<size_t>(r) * cols + c]) * X[static_cast<size_t>(t) * cols + c];
        }
        if (t == 0) {
          ASSERT_EQ(y[r], ref) << mode_name(portable) << " matvec row " << r;
        }
        ASSERT_EQ(Y[static_cast<size_t>(t) * rows + r], ref)
            << mode_name(portable) << " matmul token " << t << " row " << r;
      }
    }
  }
}

// The k-quants' integer case: d = dmin = 1 and scales and minimums cut to two bits, so every
// weight is a small integer; each 256-block of activations holds a 127, so their Q8_K encoding
// is exact (scale +-1) while the others stay in [-8, 8]; every partial sum then stays below
// 2^24 and all paths must give the exact product.
void integer_kquant_products(DType type, int rows, int cols, int T) {
  auto W = random_matrix(type, rows, cols, 9);
  const size_t bytes = type_traits(type).block_bytes;
  for (size_t b = 0; b < W.storage.size() / bytes; ++b) {
    uint8_t* blk = W.storage.data() + bytes * b;
    const uint16_t one = 0x3c00;
    switch (type) {
      case DType::Q2_K:
        for (int j = 0; j < 16; ++j) blk[j] &= 0x33;
        std::memcpy(blk + 80, &one, 2);
        std::memcpy(blk + 82, &one, 2);
        break;
      case DType::Q3_K:  // 6-bit scales minus 32: keep them in [-32, -29] and [0, 3]
        for (int j = 0; j < 8; ++j) blk[96 + j] &= 0x33;
        for (int j = 8; j < 12; ++j) blk[96 + j] &= 0xAA;
        std::memcpy(blk + 108, &one, 2);
        break;
      default:  // Q4_K, Q5_K: six-bit fields in bytes 0..7 (top bits: the high part of j >= 4)
        for (int j = 0; j < 8; ++j) blk[4 + j] &= 0x03;
        for (int j = 8; j < 12; ++j) blk[4 + j] &= 0x33;
        std::memcpy(blk, &one, 2);
        std::memcpy(blk + 2, &one, 2);
        break;
    }
  }
  std::vector<float> wf(static_cast<size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r) {
    const auto w = row_values(W.view, r);
    for (int c = 0; c < cols; ++c) {
      ASSERT_EQ(w[c], std::round(w[c])) << "weight " << r << "," << c << " is not an integer";
      wf[static_cast<size_t>(r) * cols + c] = static_cast<float>(w[c]);
    }
  }
  std::mt19937 rng(10);
  std::uniform_int_distribution<int> xi(-8, 8), sign(0, 1);
  std::vector<float> X(static_cast<size_t>(T) * cols);
  for (size_t i = 0; i < X.size(); ++i) X[i] = static_cast<float>(i % 256 == 0 ? (sign(rng) ? 127 : -127) : xi(rng));
  expect_exact_products(W.view, wf, X, T);
}

class Products : public ::testing::TestWithParam<DType> {};

TEST_P(Products, MatvecMatchesReference) {
  uint32_t seed = 100;
  for (const Shape& sh : shapes_for(GetParam())) {
    const auto W = random_matrix(GetParam(), sh.rows, sh.cols, ++seed);
    const auto x = random_vector(sh.cols, ++seed);
    std::vector<double> ref, mag;
    matvec_ref(W.view, x.data(), ref, mag);
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      for (bool portable : portable_modes()) {
        PathGuard guard(portable);
        std::vector<float> y(sh.rows, NAN);
        matvec(W.view, x.data(), y.data(), pool);
        expect_close(y, ref, mag,
                     std::string(mode_name(portable)) + " " + std::to_string(sh.rows) + "x" +
                         std::to_string(sh.cols) + " threads " + std::to_string(threads));
      }
    }
  }
}

TEST_P(Products, MatmulMatchesReference) {
  uint32_t seed = 200;
  for (const Shape& sh : shapes_for(GetParam())) {
    const auto W = random_matrix(GetParam(), sh.rows, sh.cols, ++seed);
    for (int T : {1, 3, 8, 17}) {  // 8 and 17 leave 2 and 5 tokens after 6-token tiles
      const auto X = random_vector(static_cast<size_t>(T) * sh.cols, ++seed);
      std::vector<std::vector<double>> ref(T), mag(T);
      for (int t = 0; t < T; ++t) matvec_ref(W.view, X.data() + t * sh.cols, ref[t], mag[t]);
      for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        for (bool portable : portable_modes()) {
          PathGuard guard(portable);
          std::vector<float> Y(static_cast<size_t>(T) * sh.rows, NAN);
          matmul(W.view, X.data(), T, Y.data(), pool);
          for (int t = 0; t < T; ++t) {
            expect_close(std::vector<float>(Y.begin() + t * sh.rows, Y.begin() + (t + 1) * sh.rows),
                         ref[t], mag[t],
                         std::string(mode_name(portable)) + " " + std::to_string(sh.rows) + "x" +
                             std::to_string(sh.cols) + " T=" + std::to_string(T) + " token " +
                             std::to_string(t) + " threads " + std::to_string(threads));
          }
        }
      }
    }
  }
}

// More tokens than one L2-sized token group of the AVX2 kernel (2^18 floats / cols).
TEST_P(Products, MatmulManyTokensCrossesTokenGroups) {
  const int rows = 6, T = 70;
  const int cols = block_size(GetParam()) > 1 ? 4096 + unit_cols(GetParam()) : 4096 + 3;
  const auto W = random_matrix(GetParam(), rows, cols, 300);
  const auto X = random_vector(static_cast<size_t>(T) * cols, 301);
  ThreadPool pool(2);
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    std::vector<float> Y(static_cast<size_t>(T) * rows, NAN);
    matmul(W.view, X.data(), T, Y.data(), pool);
    for (int t = 0; t < T; ++t) {
      std::vector<double> ref, mag;
      matvec_ref(W.view, X.data() + static_cast<size_t>(t) * cols, ref, mag);
      expect_close(std::vector<float>(Y.begin() + t * rows, Y.begin() + (t + 1) * rows), ref, mag,
                   std::string(mode_name(portable)) + " token " + std::to_string(t));
    }
  }
}

// Small integers: every product and partial sum is exact in float, so all paths must agree with
// the reference bit for bit (catches e.g. a dropped or doubled block that tolerance might hide).
// Coded types get random codes under unit scales (offset -8 or -16 where the type has one),
// so their weights are small integers too; the activations hold a 127 in every 32 values, so
// that their 8-bit encoding (scale 127/127) is exact.
void set_unit_scales(TestMatrix& W) {
  const uint16_t one = 0x3c00, minus8 = 0xc800, minus16 = 0xcc00;
  const size_t bytes = row_bytes(W.view.type, static_cast<size_t>(block_size(W.view.type)));
  for (size_t b = 0; b < W.storage.size() / bytes; ++b) {
    uint8_t* blk = W.storage.data() + bytes * b;
    switch (W.view.type) {
      case DType::Q4_1:
        std::memcpy(blk + 2, &minus8, 2);
        std::memcpy(blk, &one, 2);
        break;
      case DType::Q5_1:
        std::memcpy(blk + 2, &minus16, 2);
        std::memcpy(blk, &one, 2);
        break;
      case DType::Q6_K:
        std::memset(blk + 192, 1, 16);
        std::memcpy(blk + 208, &one, 2);
        break;
      default:  // Q4_0, Q5_0: d first
        std::memcpy(blk, &one, 2);
    }
  }
}

TEST_P(Products, IntegerDataIsExact) {
  const int rows = 19, cols = 4096 + 2 * unit_cols(GetParam());
  const int T = 5;
  if (is_kquant(GetParam())) return integer_kquant_products(GetParam(), rows, cols, T);
  const bool coded = block_size(GetParam()) > 1 && GetParam() != DType::Q8_0;
  TestMatrix W;
  W.view = Matrix{GetParam(), rows, cols, nullptr};
  W.storage.resize(W.view.bytes());
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> q(-127, 127), xi(-8, 8);
  std::vector<float> wf(static_cast<size_t>(rows) * cols);
  for (auto& v : wf) v = static_cast<float>(q(rng));
  if (coded) {
    W = random_matrix(GetParam(), rows, cols, 9);
    set_unit_scales(W);
    for (int r = 0; r < rows; ++r) {
      const auto vals = row_values(W.view, r);
      for (int c = 0; c < cols; ++c) {
        ASSERT_EQ(vals[c], std::round(vals[c]));
        wf[static_cast<size_t>(r) * cols + c] = static_cast<float>(vals[c]);
      }
    }
  }
  for (int r = 0; r < rows && !coded; ++r) {
    uint8_t* row = W.storage.data() + W.view.row_stride() * r;
    for (int c = 0; c < cols; ++c) {
      const float v = wf[static_cast<size_t>(r) * cols + c];
      if (GetParam() == DType::F32) std::memcpy(row + 4 * c, &v, 4);
      if (GetParam() == DType::F16) {
        const uint16_t h = fp32_to_fp16(v);  // integers up to 127 are exact halves
        std::memcpy(row + 2 * c, &h, 2);
      }
      if (GetParam() == DType::Q8_0) {
        if (c % 32 == 0) {
          const uint16_t one = 0x3c00;  // d = 1
          std::memcpy(row + 34 * (c / 32), &one, 2);
        }
        row[34 * (c / 32) + 2 + c % 32] = static_cast<uint8_t>(static_cast<int8_t>(v));
      }
    }
  }
  W.view.data = W.storage.data();
  std::vector<float> X(static_cast<size_t>(T) * cols);
  for (auto& v : X) v = static_cast<float>(xi(rng));
  for (size_t i = 0; i < X.size(); i += 32) X[i] = 127.0f;
  expect_exact_products(W.view, wf, X, T);
}

// The SIMD and portable paths agree with each other as closely as each agrees with the
// reference (the contract: the result must not depend on the path beyond float rounding).
TEST_P(Products, PathsAgree) {
  if (!simd_available()) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  const int cols = 4096 + unit_cols(GetParam());
  const auto W = random_matrix(GetParam(), 97, cols, 400);
  const auto x = random_vector(cols, 401);
  std::vector<double> ref, mag;
  matvec_ref(W.view, x.data(), ref, mag);
  ThreadPool pool(2);
  std::vector<float> a(97), b(97);
  {
    PathGuard guard(true);
    matvec(W.view, x.data(), a.data(), pool);
  }
  matvec(W.view, x.data(), b.data(), pool);
  for (int r = 0; r < 97; ++r) ASSERT_LE(std::fabs(a[r] - b[r]), 2 * kRelTol * mag[r]) << r;
}

TEST_P(Products, EmptyAndInvalidShapes) {
  ThreadPool pool(2);
  const int cols = 2 * unit_cols(GetParam());
  const auto W = random_matrix(GetParam(), 0, cols, 1);
  std::vector<float> x(cols, 1.0f), y(1, 7.0f);
  matvec(W.view, x.data(), y.data(), pool);  // no rows: nothing written
  matmul(W.view, x.data(), 1, y.data(), pool);
  EXPECT_EQ(y[0], 7.0f);
  const auto V = random_matrix(GetParam(), 2, cols, 2);
  matmul(V.view, x.data(), 0, y.data(), pool);  // no tokens
  EXPECT_EQ(y[0], 7.0f);
  EXPECT_THROW(matmul(V.view, x.data(), -1, y.data(), pool), std::invalid_argument);
  Matrix nodata{GetParam(), 2, cols, nullptr};
  EXPECT_THROW(matvec(nodata, x.data(), y.data(), pool), std::invalid_argument);
  EXPECT_THROW(matmul(nodata, x.data(), 1, y.data(), pool), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, Products, ::testing::ValuesIn(testref::table_types()),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(Products, Q8RowsMustBeWholeBlocks) {
  ThreadPool pool(1);
  std::vector<uint8_t> bytes(34 * 4);
  std::vector<float> x(48), y(2);
  Matrix bad{DType::Q8_0, 2, 48, bytes.data()};
  EXPECT_THROW(matvec(bad, x.data(), y.data(), pool), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
