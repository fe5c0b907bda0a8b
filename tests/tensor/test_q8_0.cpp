// Q8_0 against hand-computed blocks (GGML's quantize_row_q8_0_ref: d = amax/127 stored as fp16,
// q = roundf(x / d) with halves rounded away from zero) and the error bound of random data.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "reference.h"
#include "tensor/kernels.h"
#include "tensor/types/q8_0.h"

namespace airtp {
namespace {

TEST(Q8_0, BlockWithScaleOne) {
  // amax = 127 gives d = 1 exactly, so q = roundf(x): halves go away from zero.
  std::vector<float> x(32, 0.0f);
  const float in[] = {127.0f, -127.0f, 0.4f, 0.5f, -0.5f, 2.5f, -2.5f, 1.49f, 100.7f, -3.2f};
  const int expect[] = {127, -127, 0, 1, -1, 3, -3, 1, 101, -3};
  for (int i = 0; i < 10; ++i) x[i] = in[i];
  BlockQ8_0 b;
  quantize_q8_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, 0x3c00);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.qs[i], expect[i]) << "value " << in[i];
  for (int i = 10; i < 32; ++i) EXPECT_EQ(b.qs[i], 0);
  std::vector<float> back(32);
  dequantize_q8_0(&b, back.data(), 32);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(back[i], static_cast<float>(expect[i]));
}

TEST(Q8_0, BlockWithScaleTwoAndNegativeMax) {
  // amax = |-254| gives d = 2, 1/d = 0.5: 3 -> 1.5 -> 2, -5 -> -2.5 -> -3, 7 -> 3.5 -> 4.
  std::vector<float> x(32, 1.0f);  // 1 -> 0.5 -> 1
  x[0] = -254.0f;
  x[1] = 3.0f;
  x[2] = -5.0f;
  x[31] = 7.0f;
  BlockQ8_0 b;
  quantize_q8_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, 0x4000);  // 2.0
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], 2);
  EXPECT_EQ(b.qs[2], -3);
  EXPECT_EQ(b.qs[31], 4);
  for (int i = 3; i < 31; ++i) EXPECT_EQ(b.qs[i], 1);
}

TEST(Q8_0, ZeroBlockHasZeroScaleAndNoNaN) {
  std::vector<float> x(64, 0.0f);
  x[40] = -0.75f;  // second block is not zero: d = 0.75/127, q = -127
  BlockQ8_0 b[2];
  quantize_q8_0(x.data(), b, 64);
  EXPECT_EQ(b[0].d, 0x0000);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(b[0].qs[i], 0);
  EXPECT_EQ(b[1].qs[8], -127);
  std::vector<float> back(64, 1.0f);
  dequantize_q8_0(b, back.data(), 64);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(back[i], 0.0f);
}

TEST(Q8_0, ScaleIsRoundedToHalfButQuantizedWithTheFloatScale) {
  // amax = 1: d = 1/127 = 0.00787401..., nearest half is 1032 * 2^-17 = 0x2008. The q's use
  // the unrounded float d, so 1 -> 127 and 0.25 -> 31.75 -> 32.
  std::vector<float> x(32, 0.0f);
  x[3] = 1.0f;
  x[4] = 0.25f;
  x[5] = -0.125f;  // -15.875 -> -16
  BlockQ8_0 b;
  quantize_q8_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, 0x2008);
  EXPECT_EQ(b.qs[3], 127);
  EXPECT_EQ(b.qs[4], 32);
  EXPECT_EQ(b.qs[5], -16);
  std::vector<float> back(32);
  dequantize_q8_0(&b, back.data(), 32);
  EXPECT_EQ(back[3], static_cast<float>(127 * testref::half_value(0x2008)));
}

// Error bound for random data: |x - d16 q| <= d/2 (rounding of x/d) + 127 |d - d16| (the
// scale's fp16 rounding, at most 2^-11 relative), plus a little float slack.
TEST(Q8_0, RandomDataWithinHalfAStep) {
  const int n = 32 * 257;
  auto x = testref::random_vector(n, 5, -3.0f, 3.0f);
  for (int i = 0; i < n; i += 97) x[i] *= 1000.0f;  // blocks with very different scales
  std::vector<BlockQ8_0> b(n / 32);
  quantize_q8_0(x.data(), b.data(), n);
  std::vector<float> back(n);
  dequantize_q8_0(b.data(), back.data(), n);
  for (int blk = 0; blk < n / 32; ++blk) {
    double amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(double(x[blk * 32 + j])));
    const double d = amax / 127;
    const double d16 = testref::half_value(b[blk].d);
    ASSERT_LE(std::fabs(d16 - d), d * 0x1p-11 * 1.0001) << "block " << blk;
    for (int j = 0; j < 32; ++j) {
      const int i = blk * 32 + j;
      ASSERT_EQ(static_cast<double>(back[i]), d16 * b[blk].qs[j]);  // dequantization is exact
      ASSERT_LE(std::fabs(x[i] - back[i]), d / 2 * 1.0001 + 127 * std::fabs(d16 - d)) << i;
    }
  }
}

TEST(Q8_0, RejectsPartialBlocks) {
  std::vector<float> x(40);
  std::vector<BlockQ8_0> b(2);
  EXPECT_THROW(quantize_q8_0(x.data(), b.data(), 40), std::invalid_argument);
  EXPECT_THROW(dequantize_q8_0(b.data(), x.data(), 33), std::invalid_argument);
  EXPECT_THROW(quantize_q8_0(x.data(), b.data(), -32), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
