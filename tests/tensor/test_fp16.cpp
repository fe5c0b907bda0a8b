// fp16 <-> fp32: every half decoded against its field formula, every half round-tripped, known
// values, round-to-nearest-even checked against the neighbouring halves, and (on CPUs with F16C)
// bit-for-bit agreement with the hardware conversion instructions.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "reference.h"
#include "tensor/kernels.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#else
#define HAVE_X86 0
#endif

namespace airtp {
namespace {

using testref::half_value;

bool is_nan_half(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0; }

TEST(Fp16, DecodesEveryHalfExactly) {
  for (uint32_t i = 0; i < 65536; ++i) {
    const uint16_t h = static_cast<uint16_t>(i);
    const float f = fp16_to_fp32(h);
    const double ref = half_value(h);
    if (std::isnan(ref)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << i;
      const uint32_t bits = std::bit_cast<uint32_t>(f);
      // Payload kept in the top mantissa bits, quiet bit set, sign kept.
      ASSERT_EQ((bits >> 13) & 0x1ff, static_cast<uint32_t>(h & 0x1ff)) << std::hex << i;
      ASSERT_TRUE(bits & 0x00400000u) << std::hex << i;
      ASSERT_EQ(bits >> 31, static_cast<uint32_t>(h >> 15)) << std::hex << i;
    } else {
      ASSERT_EQ(static_cast<double>(f), ref) << std::hex << i;
      ASSERT_EQ(std::signbit(f), (h >> 15) != 0) << std::hex << i;  // -0 stays -0
    }
  }
}

TEST(Fp16, RoundTripsEveryHalf) {
  for (uint32_t i = 0; i < 65536; ++i) {
    const uint16_t h = static_cast<uint16_t>(i);
    const uint16_t back = fp32_to_fp16(fp16_to_fp32(h));
    if (is_nan_half(h)) {
      ASSERT_TRUE(is_nan_half(back)) << std::hex << i;
      ASSERT_EQ(back, static_cast<uint16_t>(h | 0x200)) << std::hex << i;  // quietened
    } else {
      ASSERT_EQ(back, h) << std::hex << i;
    }
  }
}

TEST(Fp16, KnownValues) {
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(fp32_to_fp16(0.5f), 0x3800);
  EXPECT_EQ(fp32_to_fp16(0.1f), 0x2e66);  // 0.0999755859375 is nearest
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(fp32_to_fp16(65519.996f), 0x7bff);   // just below the halfway point
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);     // halfway, ties to even = infinity
  EXPECT_EQ(fp32_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(-1e10f), 0xfc00);
  EXPECT_EQ(fp32_to_fp16(INFINITY), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(-INFINITY), 0xfc00);
  EXPECT_TRUE(is_nan_half(fp32_to_fp16(NAN)));
  EXPECT_EQ(fp32_to_fp16(0x1p-14f), 0x0400);     // smallest normal
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);     // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);     // halfway to 0x0001: ties to even = 0
  EXPECT_EQ(fp32_to_fp16(0x1.000002p-25f), 0x0001);
  EXPECT_EQ(fp32_to_fp16(0x3p-25f), 0x0002);     // halfway between 1 and 2 ulps: even = 2
  EXPECT_EQ(fp32_to_fp16(0x1.ff8p-15f), 0x03ff); // largest subnormal
  EXPECT_EQ(fp32_to_fp16(0x1.ffcp-15f), 0x0400); // ... + half ulp: tie, odd -> smallest normal
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x1p-11f), 0x3c00);       // tie, 0x3c00 even
  EXPECT_EQ(fp32_to_fp16(1.0f + 0x3p-11f), 0x3c02);       // tie, 0x3c01 odd -> up
  EXPECT_EQ(fp32_to_fp16(0x1.002002p+0f), 0x3c01);  // 1 + 2^-11 + 2^-23: just above the tie
  EXPECT_EQ(fp32_to_fp16(0x1p-30f), 0x0000);     // underflow
  EXPECT_EQ(fp32_to_fp16(-0x1p-30f), 0x8000);
  EXPECT_EQ(fp16_to_fp32(0x3555), 0x1.554p-2f);  // 0.333251953125
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x7bff), 65504.0f);
  EXPECT_TRUE(std::isinf(fp16_to_fp32(0xfc00)) && fp16_to_fp32(0xfc00) < 0);
}

// For random floats across (and beyond) the half range, the result must be a nearest half,
// and the even one on a tie, judged by exact double arithmetic on the neighbouring halves.
TEST(Fp16, RoundsToNearestEven) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> exp_bits(127 - 30, 127 + 17), mant(0, (1u << 23) - 1),
      sign(0, 1), tie(0, 7);
  for (int i = 0; i < 2000000; ++i) {
    uint32_t m = mant(rng);
    if (tie(rng) == 0) m &= ~0x1fffu;      // often exactly representable
    if (tie(rng) == 0) m = (m & ~0x1fffu) | 0x1000u;  // often an exact tie
    const uint32_t bits = (sign(rng) << 31) | (exp_bits(rng) << 23) | m;
    const float f = std::bit_cast<float>(bits);
    const double x = f;
    const uint16_t h = fp32_to_fp16(f);
    const uint16_t mag = h & 0x7fff;
    ASSERT_EQ(h >> 15, bits >> 31) << f;
    if (std::fabs(x) >= 65520.0) {
      ASSERT_EQ(mag, 0x7c00) << f;
      continue;
    }
    ASSERT_LT(mag, 0x7c00) << f;
    const double ax = std::fabs(x);
    const double err = std::fabs(ax - half_value(mag));
    if (mag > 0) {
      ASSERT_LE(err, std::fabs(ax - half_value(mag - 1))) << f;
    }
    if (mag < 0x7bff) {
      const double up = std::fabs(ax - half_value(mag + 1));
      ASSERT_LE(err, up) << f;
      if (err == up) {
        ASSERT_EQ(mag & 1, 0) << "tie not rounded to even for " << f;
      }
    }
    if (mag > 0 && err == std::fabs(ax - half_value(mag - 1))) {
      ASSERT_EQ(mag & 1, 0) << "tie not rounded to even for " << f;
    }
  }
}

#if HAVE_X86
__attribute__((target("f16c"))) uint16_t hw_to_half(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
__attribute__((target("f16c"))) float hw_to_float(uint16_t h) { return _cvtsh_ss(h); }

// The F16C instructions are an independent implementation of the same IEEE conversions.
TEST(Fp16, MatchesF16CInstructions) {
  unsigned a = 0, b = 0, c = 0, d = 0;  // CPUID leaf 1, ECX bit 29 (clang's builtin lacks "f16c")
  if (!(__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29)))) GTEST_SKIP() << "no F16C on this CPU";
  for (uint32_t i = 0; i < 65536; ++i) {
    const uint16_t h = static_cast<uint16_t>(i);
    ASSERT_EQ(std::bit_cast<uint32_t>(fp16_to_fp32(h)), std::bit_cast<uint32_t>(hw_to_float(h)))
        << std::hex << i;
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 4000000; ++i) {
    const uint32_t bits = rng();
    const float f = std::bit_cast<float>(bits);
    ASSERT_EQ(fp32_to_fp16(f), hw_to_half(f)) << std::hex << bits;
  }
  // A dense sweep of the floats that land on half subnormals and the smallest normals, where
  // the rounding takes a different code path.
  for (uint32_t e = 100; e <= 114; ++e) {
    for (uint32_t m = 0; m < (1u << 23); m += 97) {
      const float f = std::bit_cast<float>((e << 23) | m);
      ASSERT_EQ(fp32_to_fp16(f), hw_to_half(f)) << f;
    }
  }
}
#endif

}  // namespace
}  // namespace airtp
