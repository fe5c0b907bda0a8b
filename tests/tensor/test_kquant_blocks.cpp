// The k-quant block layouts (Q2_K..Q5_K) on hand-built blocks whose values are computed by hand
// from the format: scales, minimums, packed 6-bit scales and the high bits.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tensor/fp16.h"
#include "tensor/type_traits.h"
#include "tensor/types/kquants.h"

namespace airtp {
namespace {

std::vector<float> decode(DType type, const void* block) {
  std::vector<float> out(256);
  type_traits(type).to_float(block, out.data(), 256);
  return out;
}

TEST(KQuantBlocks, Q2KDecodesScaleTimesQuantMinusMinimum) {
  BlockQ2_K b{};
  b.d = fp32_to_fp16(0.5f);
  b.dmin = fp32_to_fp16(0.25f);
  b.scales[0] = 0x21;  // values 0..15: scale 1, minimum 2
  b.scales[2] = 0x03;  // values 32..47: scale 3, minimum 0
  b.qs[0] = 0x1B;      // value 0: q 3; value 32: q 2; value 64: q 1; value 96: q 0
  b.qs[1] = 0x01;      // value 1: q 1
  const auto v = decode(DType::Q2_K, &b);
  EXPECT_EQ(v[0], 0.5f * 1 * 3 - 0.25f * 2);
  EXPECT_EQ(v[1], 0.5f * 1 * 1 - 0.25f * 2);
  EXPECT_EQ(v[2], -0.5f);               // q 0: just the minimum
  EXPECT_EQ(v[32], 0.5f * 3 * 2);       // sub-block 2
  EXPECT_EQ(v[64], 0.0f);               // sub-block 4: scale 0, minimum 0
  EXPECT_EQ(v[255], 0.0f);
}

TEST(KQuantBlocks, Q3KDecodesSignedScalesAndTheHighBit) {
  BlockQ3_K b{};
  b.d = fp32_to_fp16(2.0f);
  // Scale 0 = 33 - 32 = 1: low nibble 1 (byte 0), top bits 2 (byte 8, bits 0-1).
  b.scales[0] = 0x01;
  b.scales[8] = 0x02;
  // Scale 9 = 0 - 32 = -32: low nibble 0 (high nibble of byte 1), top bits 0 (byte 9, bits 4-5).
  b.qs[0] = 0x03;       // value 0: low bits 3
  b.hmask[0] = 0x01;    // value 0: high bit set, so no -4: q = 3
  // value 1: low bits 0, high bit clear: q = -4
  // value 144 (sub-block 9): byte 32*1 + 16 = 48 of qs, bits 0-1 -> 2; high bit clear: q = -2
  b.qs[48] = 0x02;
  const auto v = decode(DType::Q3_K, &b);
  EXPECT_EQ(v[0], 2.0f * 1 * 3);
  EXPECT_EQ(v[1], 2.0f * 1 * -4);
  EXPECT_EQ(v[144], 2.0f * -32 * -2);
  EXPECT_EQ(v[16], 2.0f * -32 * -4);  // sub-block 1: scale 0 - 32
}

TEST(KQuantBlocks, Q4KDecodesPackedSixBitScalesAndMinimums) {
  BlockQ4_K b{};
  b.d = fp32_to_fp16(1.0f);
  b.dmin = fp32_to_fp16(0.5f);
  const uint8_t sc[8] = {1, 0, 0, 0, 0, 0, 0, 37}, m[8] = {2, 0, 0, 0, 0, 0, 0, 45};
  kquant::pack_scale_min(sc, m, b.scales);
  // Sub-block 7 is stored split: low nibbles in byte 11, top bits in bytes 3 and 7.
  EXPECT_EQ(b.scales[11], (37 & 0xF) | ((45 & 0xF) << 4));
  EXPECT_EQ(b.scales[3] >> 6, 37 >> 4);
  EXPECT_EQ(b.scales[7] >> 6, 45 >> 4);
  b.qs[0] = 0x5A;    // value 0: 10, value 32: 5
  b.qs[96] = 0x30;   // value 192: 0, value 224: 3
  b.qs[127] = 0xF0;  // value 223: 0, value 255: 15
  const auto v = decode(DType::Q4_K, &b);
  EXPECT_EQ(v[0], 1.0f * 10 - 0.5f * 2);
  EXPECT_EQ(v[32], 0.0f);   // sub-block 1: scale 0, minimum 0
  EXPECT_EQ(v[223], 0.0f);  // sub-block 6 likewise
  EXPECT_EQ(v[224], 37.0f * 3 - 0.5f * 45);
  EXPECT_EQ(v[255], 37.0f * 15 - 0.5f * 45);
}

TEST(KQuantBlocks, Q5KAddsTheFifthBit) {
  BlockQ5_K b{};
  b.d = fp32_to_fp16(0.25f);
  b.dmin = fp32_to_fp16(1.0f);
  const uint8_t sc[8] = {4, 0, 0, 0, 0, 0, 0, 2}, m[8] = {1, 0, 0, 0, 0, 0, 0, 3};
  kquant::pack_scale_min(sc, m, b.scales);
  b.qs[0] = 0x07;     // value 0: low 7
  b.qh[0] = 0x01;     // value 0: +16 -> 23
  b.qs[127] = 0x30;   // value 255: low 3
  b.qh[31] = 0x80;    // value 255: bit 7 -> +16 -> 19
  const auto v = decode(DType::Q5_K, &b);
  EXPECT_EQ(v[0], 0.25f * 4 * 23 - 1.0f);
  EXPECT_EQ(v[1], -1.0f);
  EXPECT_EQ(v[255], 0.25f * 2 * 19 - 3.0f);
}

}  // namespace
}  // namespace airtp
