// Q4_0, Q4_1, Q5_0, Q5_1 and Q6_K: hand-built blocks decode to hand-computed values, GGML's
// reference quantizer on hand-picked blocks, and the error bound of each encoder on random data.
// (That the decoders agree with llama.cpp's on real files: tests/model/test_quantized_reference.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "tensor/fp16.h"
#include "tensor/type_traits.h"
#include "tensor/types/q4_0.h"
#include "tensor/types/q4_1.h"
#include "tensor/types/q5_0.h"
#include "tensor/types/q5_1.h"
#include "tensor/types/q6_k.h"

namespace airtp {
namespace {

constexpr uint16_t kHalf = 0x3800, kOne = 0x3c00, kQuarter = 0x3400, kMinusTwo = 0xc000;

TEST(Q4_0, HandBuiltBlock) {
  BlockQ4_0 b{};
  b.d = kHalf;
  b.qs[0] = 0x1f;  // value 0: 15 - 8 = 7; value 16: 1 - 8 = -7
  b.qs[15] = 0x80;  // value 15: 0 - 8 = -8; value 31: 8 - 8 = 0
  for (int j = 1; j < 15; ++j) b.qs[j] = 0x88;
  std::vector<float> v(32);
  dequantize_q4_0(&b, v.data(), 32);
  EXPECT_EQ(v[0], 3.5f);
  EXPECT_EQ(v[16], -3.5f);
  EXPECT_EQ(v[15], -4.0f);
  EXPECT_EQ(v[31], 0.0f);
  EXPECT_EQ(v[7], 0.0f);
}

TEST(Q4_0, QuantizerTakesTheSignedMaxAsMinusEight) {
  // max magnitude -8: d = -8 / -8 = 1, q = trunc(x + 8.5) capped at 15.
  std::vector<float> x(32, 0.0f);
  x[0] = -8.0f, x[1] = 7.0f, x[2] = 0.4f, x[3] = 0.5f, x[4] = -3.2f, x[20] = 7.6f;
  BlockQ4_0 b;
  quantize_q4_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, kOne);
  EXPECT_EQ(b.qs[0] & 15, 0);
  EXPECT_EQ(b.qs[1] & 15, 15);
  EXPECT_EQ(b.qs[2] & 15, 8);
  EXPECT_EQ(b.qs[3] & 15, 9);
  EXPECT_EQ(b.qs[4] & 15, 5);
  EXPECT_EQ(b.qs[4] >> 4, 15);  // value 20: 16.1 capped
  // +8 as the max: d = -1, so 8 is code 0 and -7 is code 15.
  x.assign(32, 0.0f);
  x[0] = 8.0f, x[1] = -7.0f;
  quantize_q4_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, 0xbc00);
  EXPECT_EQ(b.qs[0] & 15, 0);
  EXPECT_EQ(b.qs[1] & 15, 15);
}

TEST(Q4_1, HandBuiltBlock) {
  BlockQ4_1 b{};
  b.d = kHalf;
  b.m = kMinusTwo;
  b.qs[0] = 0xf3;  // value 0: 3 * 0.5 - 2; value 16: 15 * 0.5 - 2
  std::vector<float> v(32);
  dequantize_q4_1(&b, v.data(), 32);
  EXPECT_EQ(v[0], -0.5f);
  EXPECT_EQ(v[16], 5.5f);
  EXPECT_EQ(v[1], -2.0f);
}

TEST(Q4_1, QuantizerSpansMinToMax) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = -3.0f + 0.5f * (j % 16);  // min -3, max 4.5: d = 0.5
  BlockQ4_1 b;
  quantize_q4_1(x.data(), &b, 32);
  EXPECT_EQ(b.d, kHalf);
  EXPECT_EQ(b.m, 0xc200);  // -3
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b.qs[j], j | j << 4) << j;
}

TEST(Q5_0, HandBuiltBlockUsesTheHighBits) {
  BlockQ5_0 b{};
  b.d = kQuarter;
  b.qs[3] = 0xa5;
  b.qh[0] = 1 << 3;  // bit 3: value 3 gets bit 4; value 19 (bit 19) does not
  std::vector<float> v(32);
  dequantize_q5_0(&b, v.data(), 32);
  EXPECT_EQ(v[3], (21 - 16) * 0.25f);
  EXPECT_EQ(v[19], (10 - 16) * 0.25f);
  b.qh[2] = 1 << 3;  // now bit 19 too
  dequantize_q5_0(&b, v.data(), 32);
  EXPECT_EQ(v[19], (26 - 16) * 0.25f);
  EXPECT_EQ(v[0], -4.0f);
}

TEST(Q5_0, QuantizerRoundTripsSixteenSteps) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);  // -16 is the max magnitude: d = 1
  BlockQ5_0 b;
  quantize_q5_0(x.data(), &b, 32);
  EXPECT_EQ(b.d, kOne);
  std::vector<float> v(32);
  dequantize_q5_0(&b, v.data(), 32);
  EXPECT_EQ(v, x);
  EXPECT_EQ(b.qh[0], 0x00);  // codes 0..15 for values 0..15
  EXPECT_EQ(b.qh[2], 0xff);  // codes 16..31 for values 16..31
}

TEST(Q5_1, HandBuiltBlock) {
  BlockQ5_1 b{};
  b.d = kHalf;
  b.m = kMinusTwo;
  b.qs[15] = 0x07;
  b.qh[3] = 0x80;  // bit 31: value 31 gets code 16
  b.qh[1] = 0x80;  // bit 15: value 15 gets code 7 + 16
  std::vector<float> v(32);
  dequantize_q5_1(&b, v.data(), 32);
  EXPECT_EQ(v[15], 23 * 0.5f - 2.0f);
  EXPECT_EQ(v[31], 16 * 0.5f - 2.0f);
}

TEST(Q5_1, QuantizerRoundTripsThirtyTwoSteps) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = 1.0f + 0.25f * j;  // min 1, d = 7.75 / 31 = 0.25
  BlockQ5_1 b;
  quantize_q5_1(x.data(), &b, 32);
  EXPECT_EQ(b.d, kQuarter);
  std::vector<float> v(32);
  dequantize_q5_1(&b, v.data(), 32);
  EXPECT_EQ(v, x);
}

TEST(Q6_K, HandBuiltBlock) {
  BlockQ6_K b{};
  b.d = kHalf;
  for (int s = 0; s < 16; ++s) b.scales[s] = static_cast<int8_t>(s - 8);
  // Value 0: ql[0] low nibble, qh[0] bits 0-1, scale 0.
  b.ql[0] = 0x05, b.qh[0] = 0x02;  // q = 5 + 32 = 37 -> 5
  // Value 40 (first half, quarter 1, offset 8): ql[40] low, qh[8] bits 2-3, scale 2.
  b.ql[40] = 0x0f, b.qh[8] = 0x01 << 2;  // q = 15 + 16 = 31 -> -1
  // Value 200 (second half, quarter 2, offset 8): ql[72] high, qh[40] bits 4-5, scale 12.
  b.ql[72] = 0x30, b.qh[40] = 0x03 << 4;  // q = 3 + 48 = 51 -> 19
  // Value 255 (second half, quarter 3, offset 31): ql[127] high, qh[63] bits 6-7, scale 15.
  b.ql[127] = 0xa0;  // q = 10 -> -22
  std::vector<float> v(256);
  dequantize_q6_k(&b, v.data(), 256);
  EXPECT_EQ(v[0], 0.5f * -8 * 5);
  EXPECT_EQ(v[40], 0.5f * -6 * -1);
  EXPECT_EQ(v[200], 0.5f * 4 * 19);
  EXPECT_EQ(v[255], 0.5f * 7 * -22);
  EXPECT_EQ(v[1], 0.5f * -8 * -32);  // all-zero code
}

TEST(Q6_K, ZeroBlockIsAllZero) {
  std::vector<float> x(256, 0.0f), v(256, 1.0f);
  BlockQ6_K b;
  std::memset(&b, 0xff, sizeof(b));
  quantize_q6_k(x.data(), &b, 256);
  EXPECT_EQ(b.d, 0);
  dequantize_q6_k(&b, v.data(), 256);
  for (float f : v) EXPECT_EQ(f, 0.0f);
}

// Each encoder's worst error on random data. Offset types: half a step of range / (codes - 1).
// Symmetric types: one step of amax / (codes / 2), since the side opposite the largest
// magnitude ends a step short (codes -8..7 times max / -8). Plus the fp16 rounding of the scale
// and offset (2^-11 relative, times the largest code).
TEST(LegacyQuants, RandomDataWithinTheirStep) {
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 0.02f);
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1}) {
    const TypeTraits& tr = type_traits(t);
    std::vector<float> x(32 * 64), v(x.size());
    for (auto& f : x) f = g(rng);
    std::vector<uint8_t> enc(row_bytes(t, x.size()));
    tr.from_float(x.data(), enc.data(), static_cast<int64_t>(x.size()));
    tr.to_float(enc.data(), v.data(), static_cast<int64_t>(x.size()));
    const bool offset = t == DType::Q4_1 || t == DType::Q5_1;
    const double codes = t == DType::Q4_0 || t == DType::Q4_1 ? 16 : 32;
    for (size_t b = 0; b < x.size() / 32; ++b) {
      float lo = x[32 * b], hi = lo, amax = 0;
      for (int j = 0; j < 32; ++j) {
        lo = std::min(lo, x[32 * b + j]);
        hi = std::max(hi, x[32 * b + j]);
        amax = std::max(amax, std::fabs(x[32 * b + j]));
      }
      const double bound = offset ? 0.5 * (hi - lo) / (codes - 1) + 1e-3 * (hi - lo) : amax / (codes / 2) + 1e-3 * amax;
      for (int j = 0; j < 32; ++j) {
        const size_t i = 32 * b + j;
        ASSERT_LE(std::fabs(v[i] - x[i]), bound) << dtype_name(t) << " value " << i;
      }
    }
  }
}

// Q6_K on Gaussian data: every value within 1.5 steps of its sub-block's stored scale (half a
// step, or a clamped end), and the RMS error a small fraction of the signal's.
TEST(Q6_K, RandomDataWithinItsSubBlockSteps) {
  std::mt19937 rng(6);
  std::normal_distribution<float> g(0.0f, 0.02f);
  std::vector<float> x(256 * 16), v(x.size());
  for (auto& f : x) f = g(rng);
  std::vector<BlockQ6_K> b(x.size() / 256);
  quantize_q6_k(x.data(), b.data(), static_cast<int64_t>(x.size()));
  dequantize_q6_k(b.data(), v.data(), static_cast<int64_t>(x.size()));
  double se = 0, ss = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const BlockQ6_K& blk = b[i / 256];
    const double step = std::fabs(fp16_to_fp32(blk.d) * blk.scales[(i % 256) / 16]);
    ASSERT_LE(std::fabs(v[i] - x[i]), 1.5 * step) << "value " << i;
    se += (v[i] - x[i]) * (v[i] - x[i]);
    ss += x[i] * x[i];
  }
  EXPECT_LT(std::sqrt(se / ss), 0.03);
}

TEST(LegacyQuants, RejectPartialBlocks) {
  std::vector<float> x(300);
  std::vector<uint8_t> out(1024);
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q6_K}) {
    EXPECT_THROW(type_traits(t).from_float(x.data(), out.data(), block_size(t) + 1), std::invalid_argument) << dtype_name(t);
    EXPECT_THROW(type_traits(t).to_float(out.data(), x.data(), block_size(t) - 1), std::invalid_argument) << dtype_name(t);
  }
}

}  // namespace
}  // namespace airtp
