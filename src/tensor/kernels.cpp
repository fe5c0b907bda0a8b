// Portable kernels, the fp16/Q8_0 codecs and the run-time choice between portable and AVX2 code.
#include "tensor/kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define AIRTP_HAVE_X86_SIMD 1
#else
#define AIRTP_HAVE_X86_SIMD 0
#endif

namespace airtp {

#if AIRTP_HAVE_X86_SIMD
// Defined in kernels_avx2.cpp, the only file compiled for AVX2+FMA+F16C; called only after the
// run-time CPU check. Each computes output rows [r0, r1).
namespace simd {
void matvec_rows_avx2(const Matrix& W, const float* x, float* y, int64_t r0, int64_t r1);
void matmul_rows_avx2(const Matrix& W, const float* X, int T, float* Y, int64_t r0, int64_t r1);
}  // namespace simd
#endif

namespace {

std::atomic<bool> g_force_portable{false};

bool detect_avx2_fma() {
#if AIRTP_HAVE_X86_SIMD
  __builtin_cpu_init();
  // F16C is a separate CPUID bit; every AVX2 CPU has it, but the F16 path relies on it, so ask.
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool use_simd() {
  static const bool supported = detect_avx2_fma();
  return supported && !g_force_portable.load(std::memory_order_relaxed);
}

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

std::string shape(const Matrix& W) {
  return std::string(dtype_name(W.type)) + " " + std::to_string(W.rows) + "x" +
         std::to_string(W.cols);
}

void check_weights(const Matrix& W, const char* where) {
  if (W.rows < 0 || W.cols < 0) {
    throw std::invalid_argument(std::string(where) + ": negative shape " + shape(W));
  }
  if (W.data == nullptr && W.rows > 0 && W.cols > 0) {
    throw std::invalid_argument(std::string(where) + ": weight matrix " + shape(W) +
                                " has no data");
  }
  if (W.type == DType::Q8_0 && W.cols % kQ8Block != 0) {
    throw std::invalid_argument(std::string(where) + ": Q8_0 matrix " + shape(W) +
                                " has a column count that is not a multiple of 32");
  }
}

// ---- portable dot products of one weight row with float activations ----------------------
// Eight independent partial sums: the compiler can keep them in one SSE register pair, and the
// error grows like that of eight n/8-term sums instead of one n-term sum.
template <class Load>
inline float dot_portable(int n, const float* x, Load w) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += w(i + k) * x[i + k];
  }
  for (; i < n; ++i) acc[i & 7] += w(i) * x[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// F16 and Q8_0 rows are decoded a chunk at a time into floats and then dotted: two plain loops
// the compiler vectorises, where a fused decode-and-multiply loop would stay scalar. Q8_0's
// d * q is exact in float, so this is the dot product of the exactly dequantized row.
constexpr int kDecodeChunk = 256;

float dot_row_portable(DType type, const uint8_t* row, int n, const float* x) {
  if (type == DType::F32) {
    const auto* w = reinterpret_cast<const float*>(row);
    return dot_portable(n, x, [w](int i) { return w[i]; });
  }
  float buf[kDecodeChunk];
  float total = 0.0f;
  for (int c0 = 0; c0 < n; c0 += kDecodeChunk) {
    const int len = n - c0 < kDecodeChunk ? n - c0 : kDecodeChunk;
    if (type == DType::F16) {
      const auto* h = reinterpret_cast<const uint16_t*>(row) + c0;
      for (int i = 0; i < len; ++i) buf[i] = half_to_float(h[i]);
    } else {
      const auto* b = reinterpret_cast<const BlockQ8_0*>(row) + c0 / kQ8Block;
      for (int blk = 0; blk < len / kQ8Block; ++blk) {
        const float d = half_to_float(b[blk].d);
        for (int j = 0; j < kQ8Block; ++j) buf[blk * kQ8Block + j] = d * b[blk].qs[j];
      }
    }
    total += dot_portable(len, x + c0, [&buf](int i) { return buf[i]; });
  }
  return total;
}

void matvec_rows_portable(const Matrix& W, const float* x, float* y, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    y[r] = dot_row_portable(W.type, W.row(static_cast<int>(r)), W.cols, x);
  }
}

// Portable batched product: a row is decoded to floats once and then dotted with every token,
// so the weight bytes are read (and converted) once per call rather than once per token.
void matmul_rows_portable(const Matrix& W, const float* X, int T, float* Y, int64_t r0,
                          int64_t r1) {
  std::vector<float> w(static_cast<size_t>(W.cols));
  for (int64_t r = r0; r < r1; ++r) {
    dequantize_row(W, static_cast<int>(r), w.data());
    const float* wr = w.data();
    for (int t = 0; t < T; ++t) {
      Y[static_cast<int64_t>(t) * W.rows + r] =
          dot_portable(W.cols, X + static_cast<int64_t>(t) * W.cols, [wr](int i) { return wr[i]; });
    }
  }
}

// Splitting a small product over threads costs more than it saves: waking the pool takes ~1.5 us
// with workers polling and ~10 us once they sleep, and on this 2-core box a 288x288 F32 matvec
// (330 KB, ~5 us) measured no faster on 2 threads than on 1, a 1024x1024 F16 one (2 MB) 1.5x.
constexpr size_t kMinParallelBytes = 512 * 1024;

}  // namespace

void force_portable_kernels(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }

bool cpu_has_avx2_fma() { return use_simd(); }

// ---- fp16 -------------------------------------------------------------------------------------

float fp16_to_fp32(uint16_t h) { return half_to_float(h); }

uint16_t fp32_to_fp16(float f) {
  uint32_t x = f32_bits(f);
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
  const float t = bits_f32(x) + 0.5f;
  return static_cast<uint16_t>(sign | (f32_bits(t) - 0x3f000000u));
}

// ---- Q8_0 -------------------------------------------------------------------------------------

void quantize_q8_0(const float* x, BlockQ8_0* out, int64_t n) {
  if (n < 0 || n % kQ8Block != 0) {
    throw std::invalid_argument("quantize_q8_0: n must be a non-negative multiple of 32, got " +
                                std::to_string(n));
  }
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const float* xb = x + b * kQ8Block;
    float amax = 0.0f;
    for (int j = 0; j < kQ8Block; ++j) {
      const float v = std::fabs(xb[j]);
      amax = amax > v ? amax : v;  // GGML's MAX(amax, v), NaN handling included
    }
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = fp32_to_fp16(d);
    for (int j = 0; j < kQ8Block; ++j) {
      out[b].qs[j] = static_cast<int8_t>(std::roundf(xb[j] * id));
    }
  }
}

void dequantize_q8_0(const BlockQ8_0* in, float* out, int64_t n) {
  if (n < 0 || n % kQ8Block != 0) {
    throw std::invalid_argument("dequantize_q8_0: n must be a non-negative multiple of 32, got " +
                                std::to_string(n));
  }
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const float d = fp16_to_fp32(in[b].d);
    for (int j = 0; j < kQ8Block; ++j) out[b * kQ8Block + j] = d * in[b].qs[j];
  }
}

// ---- products ---------------------------------------------------------------------------------

void matvec(const Matrix& W, const float* x, float* y, ThreadPool& pool) {
  check_weights(W, "matvec");
  if (W.rows == 0) return;
  const bool simd = use_simd();
  auto body = [&](int64_t r0, int64_t r1) {
#if AIRTP_HAVE_X86_SIMD
    if (simd) return simd::matvec_rows_avx2(W, x, y, r0, r1);
#endif
    matvec_rows_portable(W, x, y, r0, r1);
  };
  if (W.bytes() < kMinParallelBytes) {
    body(0, W.rows);
  } else {
    pool.parallel_for(W.rows, body);
  }
  (void)simd;
}

void matmul(const Matrix& W, const float* X, int T, float* Y, ThreadPool& pool) {
  check_weights(W, "matmul");
  if (T < 0) throw std::invalid_argument("matmul: negative token count " + std::to_string(T));
  if (W.rows == 0 || T == 0) return;
  // One token (decode) is a matrix-vector product; its kernel scales Q8_0 blocks once per block
  // rather than once per 8 weights.
  if (T == 1) return matvec(W, X, Y, pool);
  const bool simd = use_simd();
  auto body = [&](int64_t r0, int64_t r1) {
#if AIRTP_HAVE_X86_SIMD
    if (simd) return simd::matmul_rows_avx2(W, X, T, Y, r0, r1);
#endif
    matmul_rows_portable(W, X, T, Y, r0, r1);
  };
  if (W.bytes() * static_cast<size_t>(T) < kMinParallelBytes) {
    body(0, W.rows);
  } else {
    pool.parallel_for(W.rows, body);
  }
  (void)simd;
}

// ---- per-token vector operations (O(n), so scalar code is enough) ------------------------------

void rmsnorm(float* out, const float* x, const float* w, int n, float eps) {
  if (n <= 0) throw std::invalid_argument("rmsnorm: n must be positive, got " + std::to_string(n));
  if (!(eps >= 0.0f)) throw std::invalid_argument("rmsnorm: eps must be >= 0");
  double ss = 0.0;
  for (int i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const double ms = ss / n + eps;
  if (ms == 0.0) throw std::invalid_argument("rmsnorm: zero vector with eps = 0");
  const float scale = static_cast<float>(1.0 / std::sqrt(ms));
  for (int i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
}

void rope(float* x, int n_heads, int head_dim, int pos, float theta) {
  if (n_heads < 0 || head_dim <= 0 || head_dim % 2 != 0) {
    throw std::invalid_argument("rope: need n_heads >= 0 and a positive even head_dim, got " +
                                std::to_string(n_heads) + " heads of " +
                                std::to_string(head_dim));
  }
  if (pos < 0) throw std::invalid_argument("rope: negative position " + std::to_string(pos));
  if (!(theta > 0.0f)) throw std::invalid_argument("rope: theta must be positive");
  // The angle pos * theta^(-2i/d) reaches thousands of radians; in float its rounding alone
  // would move the rotation by ~1e-4 rad at pos 4096, so angles and their sines are in double.
  constexpr int kStackPairs = 256;
  float cs_stack[2 * kStackPairs];
  std::vector<float> cs_heap;
  const int half = head_dim / 2;
  float* cs = cs_stack;
  if (half > kStackPairs) {
    cs_heap.resize(2 * static_cast<size_t>(half));
    cs = cs_heap.data();
  }
  const double log_theta = std::log(static_cast<double>(theta));
  for (int i = 0; i < half; ++i) {
    const double freq = std::exp(-2.0 * i / head_dim * log_theta);
    const double angle = pos * freq;
    cs[2 * i] = static_cast<float>(std::cos(angle));
    cs[2 * i + 1] = static_cast<float>(std::sin(angle));
  }
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int i = 0; i < half; ++i) {
      const float c = cs[2 * i], s = cs[2 * i + 1];
      const float a = v[2 * i], b = v[2 * i + 1];
      v[2 * i] = a * c - b * s;
      v[2 * i + 1] = a * s + b * c;
    }
  }
}

void softmax(float* x, int n) {
  if (n <= 0) throw std::invalid_argument("softmax: n must be positive, got " + std::to_string(n));
  float mx = x[0];
  for (int i = 1; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  if (std::isinf(mx) && mx < 0) {
    // The max skips NaN: {-inf, NaN} is NaN in, so NaN out (as for any NaN input), not an error.
    if (std::any_of(x, x + n, [](float v) { return std::isnan(v); })) {
      std::fill_n(x, n, std::numeric_limits<float>::quiet_NaN());
      return;
    }
    throw std::invalid_argument("softmax: all " + std::to_string(n) + " values are -inf");
  }
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int i = 0; i < n; ++i) x[i] *= inv;
}

void swiglu(float* out, const float* gate, const float* up, int n) {
  if (n < 0) throw std::invalid_argument("swiglu: negative n " + std::to_string(n));
  for (int i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

}  // namespace airtp
