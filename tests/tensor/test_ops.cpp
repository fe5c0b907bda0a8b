// rmsnorm, rope, softmax and swiglu against double-precision references, on both kernel modes.
// Tolerances are relative to the size of the values involved and a few float ulps wide
// (float eps = 1.2e-7); each is stated where it is used.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "reference.h"
#include "tensor/kernels.h"

namespace airtp {
namespace {

using namespace testref;

TEST(RmsNorm, MatchesReference) {
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    for (int n : {1, 7, 288, 4096, 4096 + 32}) {
      const auto x = random_vector(n, n, -3.0f, 3.0f);
      const auto w = random_vector(n, n + 1, 0.5f, 1.5f);
      const float eps = 1e-5f;
      std::vector<float> out(n);
      rmsnorm(out.data(), x.data(), w.data(), n, eps);
      double ss = 0;
      for (float v : x) ss += double(v) * v;
      const double scale = 1.0 / std::sqrt(ss / n + eps);
      for (int i = 0; i < n; ++i) {
        const double ref = x[i] * scale * w[i];
        // Three float roundings (scale, two products): 4 ulps.
        ASSERT_NEAR(out[i], ref, 4 * 1.2e-7 * std::fabs(ref) + 1e-30) << mode_name(portable) << n;
      }
    }
  }
}

TEST(RmsNorm, InPlaceAndBadInput) {
  std::vector<float> x = {3.0f, 4.0f}, w = {1.0f, 2.0f};
  rmsnorm(x.data(), x.data(), w.data(), 2, 0.0f);  // rms = sqrt(12.5)
  EXPECT_NEAR(x[0], 3.0 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(x[1], 8.0 / std::sqrt(12.5), 1e-6);
  EXPECT_THROW(rmsnorm(x.data(), x.data(), w.data(), 0, 1e-5f), std::invalid_argument);
  std::vector<float> z = {0.0f, 0.0f};
  EXPECT_THROW(rmsnorm(z.data(), z.data(), w.data(), 2, 0.0f), std::invalid_argument);
}

// Reference rotation with angle pos * theta^(-2i/d) in double. The float kernel rounds cos/sin
// and two products per output: |err| <= ~3 eps (|a| + |b|); 5e-7 (|a|+|b|) is allowed. An angle
// computed in float would be off by up to pos * 6e-8 = 2.4e-4 rad at pos 4096 and fail.
TEST(Rope, MatchesDoubleReferenceUpToLongPositions) {
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    for (int head_dim : {2, 64, 128}) {
      for (float theta : {10000.0f, 500000.0f}) {
        for (int pos : {0, 1, 17, 1000, 4095, 4096}) {
          const int n_heads = 3;
          const auto x0 = random_vector(static_cast<size_t>(n_heads) * head_dim, pos + head_dim);
          auto x = x0;
          rope(x.data(), n_heads, head_dim, pos, theta);
          for (int h = 0; h < n_heads; ++h) {
            for (int i = 0; i < head_dim / 2; ++i) {
              const double ang =
                  pos * std::pow(static_cast<double>(theta), -2.0 * i / head_dim);
              const double a = x0[h * head_dim + 2 * i], b = x0[h * head_dim + 2 * i + 1];
              const double ra = a * std::cos(ang) - b * std::sin(ang);
              const double rb = a * std::sin(ang) + b * std::cos(ang);
              const double tol = 5e-7 * (std::fabs(a) + std::fabs(b));
              ASSERT_NEAR(x[h * head_dim + 2 * i], ra, tol)
                  << mode_name(portable) << " d=" << head_dim << " pos=" << pos << " i=" << i;
              ASSERT_NEAR(x[h * head_dim + 2 * i + 1], rb, tol)
                  << mode_name(portable) << " d=" << head_dim << " pos=" << pos << " i=" << i;
            }
          }
          if (pos == 0) {
            EXPECT_EQ(x, x0);  // zero angle: identity, exactly
          }
        }
      }
    }
  }
}

// Llama 3.1's frequency factors divide each pair's angle: with factors f_i the result must equal
// the double reference at angle pos * theta^(-2i/d) / f_i (factors 1 leave the rotation unchanged).
TEST(Rope, FrequencyFactorsDivideTheAngle) {
  const int head_dim = 8, n_heads = 2, pos = 300;
  const float theta = 500000.0f;
  const std::vector<float> ff = {1.0f, 2.0f, 8.0f, 32.0f};
  const auto x0 = random_vector(static_cast<size_t>(n_heads) * head_dim, 7);
  auto x = x0;
  rope(x.data(), n_heads, head_dim, pos, theta, ff.data());
  for (int h = 0; h < n_heads; ++h) {
    for (int i = 0; i < head_dim / 2; ++i) {
      const double ang = pos * std::pow(static_cast<double>(theta), -2.0 * i / head_dim) / ff[i];
      const double a = x0[h * head_dim + 2 * i], b = x0[h * head_dim + 2 * i + 1];
      const double tol = 5e-7 * (std::fabs(a) + std::fabs(b));
      EXPECT_NEAR(x[h * head_dim + 2 * i], a * std::cos(ang) - b * std::sin(ang), tol) << "pair " << i;
      EXPECT_NEAR(x[h * head_dim + 2 * i + 1], a * std::sin(ang) + b * std::cos(ang), tol) << "pair " << i;
    }
  }
  // Factor 1 everywhere is no scaling at all, bit for bit.
  const std::vector<float> ones(head_dim / 2, 1.0f);
  auto y = x0, z = x0;
  rope(y.data(), n_heads, head_dim, pos, theta, ones.data());
  rope(z.data(), n_heads, head_dim, pos, theta);
  EXPECT_EQ(y, z);
}

TEST(Rope, RejectsBadShapes) {
  std::vector<float> x(8);
  EXPECT_THROW(rope(x.data(), 1, 7, 0, 10000.0f), std::invalid_argument);
  EXPECT_THROW(rope(x.data(), 1, 8, -1, 10000.0f), std::invalid_argument);
  EXPECT_THROW(rope(x.data(), 1, 8, 0, 0.0f), std::invalid_argument);
}

TEST(Softmax, MatchesReference) {
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    for (int n : {1, 2, 17, 1000, 4096}) {
      auto x = random_vector(n, n, -20.0f, 20.0f);
      const auto x0 = x;
      softmax(x.data(), n);
      double mx = -INFINITY, sum = 0;
      for (float v : x0) mx = std::max(mx, double(v));
      for (float v : x0) sum += std::exp(v - mx);
      double total = 0;
      for (int i = 0; i < n; ++i) {
        const double ref = std::exp(x0[i] - mx) / sum;
        // expf (1-2 ulp), the subtraction's rounding amplified by |x - max| <= 40 (~40 ulp of
        // relative error in the worst case), one normalising multiply.
        ASSERT_NEAR(x[i], ref, 64 * 1.2e-7 * ref + 1e-38) << mode_name(portable) << " n=" << n;
        total += x[i];
      }
      EXPECT_NEAR(total, 1.0, 1e-5);
    }
  }
}

TEST(Softmax, LargeValuesMaskedEntriesAndBadInput) {
  std::vector<float> x = {1000.0f, 1001.0f, -INFINITY};
  softmax(x.data(), 3);
  EXPECT_NEAR(x[0], 1.0 / (1.0 + std::exp(1.0)), 1e-7);
  EXPECT_NEAR(x[1], std::exp(1.0) / (1.0 + std::exp(1.0)), 1e-7);
  EXPECT_EQ(x[2], 0.0f);
  std::vector<float> masked = {-INFINITY, -INFINITY};
  EXPECT_THROW(softmax(masked.data(), 2), std::invalid_argument);
  EXPECT_THROW(softmax(x.data(), 0), std::invalid_argument);
  // NaN in, NaN out, wherever the NaN is (the max skips it; found by fuzz_gguf).
  for (std::vector<float> v : {std::vector<float>{-INFINITY, NAN}, std::vector<float>{NAN, -INFINITY},
                               std::vector<float>{1.0f, NAN}, std::vector<float>{NAN, 1.0f}}) {
    softmax(v.data(), 2);
    EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1])) << v[0] << " " << v[1];
  }
}

TEST(SwiGLU, MatchesReference) {
  for (bool portable : portable_modes()) {
    PathGuard guard(portable);
    const int n = 11008 + 5;
    auto gate = random_vector(n, 1, -12.0f, 12.0f);
    auto up = random_vector(n, 2, -2.0f, 2.0f);
    gate[0] = -100.0f;  // exp(100) overflows to inf: result must be -0, not NaN
    gate[1] = 100.0f;
    std::vector<float> out(n);
    swiglu(out.data(), gate.data(), up.data(), n);
    for (int i = 0; i < n; ++i) {
      const double g = gate[i];
      const double ref = g / (1.0 + std::exp(-g)) * up[i];
      // expf + add + divide + multiply: ~5 ulps.
      ASSERT_NEAR(out[i], ref, 8 * 1.2e-7 * std::fabs(ref) + 1e-37) << mode_name(portable) << i;
    }
    EXPECT_FALSE(std::isnan(out[0]));
  }
}

}  // namespace
}  // namespace airtp
