// IEEE half precision <-> float, bit-exact and branch-free, so the loops that use them vectorise.
// F16C does the same in hardware; these are the portable paths and the reference.
#pragma once
#include <cstdint>
#include <cstring>

namespace airtp {
namespace fp16_detail {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Branch-free IEEE half -> float (the FP16 library's method), so the portable F16 dot product
// vectorises. Normal halves: move exponent and mantissa into place and rescale by 2^-112, which
// also carries inf/NaN to exponent 255 (a NaN comes out quiet, payload kept, as with F16C).
// Subnormals: build 0.5 + m * 2^-24 in float and subtract 0.5, both exact.
inline float half_to_float(uint16_t h) {
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;
  const float normalized = bits_f32((two_w >> 4) + (0xe0u << 23)) * 0x1p-112f;
  const float denormalized = bits_f32((two_w >> 17) | (126u << 23)) - 0.5f;
  const uint32_t is_sub = 0u - static_cast<uint32_t>(two_w < (1u << 27));  // all ones or zero
  return bits_f32(sign | (f32_bits(denormalized) & is_sub) | (f32_bits(normalized) & ~is_sub));
}

}  // namespace fp16_detail

inline float fp16_to_fp32(uint16_t h) { return fp16_detail::half_to_float(h); }

// Round to nearest even; overflow to infinity, NaN stays NaN (quiet, top payload bits kept).
inline uint16_t fp32_to_fp16(float f) {
  uint32_t x = fp16_detail::f32_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x >= 0x7f800000u) {
    if (x == 0x7f800000u) return sign | 0x7c00u;
    // NaN: quiet, keeping the top payload bits (what F16C's vcvtps2ph does).
    return static_cast<uint16_t>(sign | 0x7e00u | ((x >> 13) & 0x3ffu));
  }
  // 65520 is halfway between the largest half (65504, odd mantissa) and 2^16: ties-to-even
  // sends it, and everything above, to infinity.
  if (x >= 0x477ff000u) return sign | 0x7c00u;
  if (x >= 0x38800000u) {
    // Normal half. Add the rounding bias (half an ulp, minus one unless the kept lsb is odd) to
    // the dropped 13 bits; a carry ripples into the exponent exactly as rounding up should.
    x += 0x0fffu + ((x >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((x - 0x38000000u) >> 13));
  }
  // Subnormal half (or zero): adding 0.5 lines the value up so the FPU's own round-to-nearest-
  // even drops exactly the bits below 2^-24; the result may round up to the smallest normal.
  const float t = fp16_detail::bits_f32(x) + 0.5f;
  return static_cast<uint16_t>(sign | (fp16_detail::f32_bits(t) - 0x3f000000u));
}

}  // namespace airtp
