// Portable kernels and the run-time choice between them and a type's AVX2 row kernels.
#include "tensor/kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor/fp16.h"
#include "tensor/simd_rows.h"

#if AIRTP_HAVE_X86_SIMD
#include <cpuid.h>
#endif
#include "tensor/type_traits.h"

namespace airtp {

namespace {

std::atomic<bool> g_force_portable{false};

bool detect_avx2_fma() {
#if AIRTP_HAVE_X86_SIMD
  __builtin_cpu_init();
  // F16C is a separate CPUID bit (leaf 1, ECX bit 29); every AVX2 CPU has it, but the F16 path
  // relies on it, so ask. Read directly: clang's __builtin_cpu_supports does not know "f16c".
  unsigned a = 0, b = 0, c = 0, d = 0;
  const bool f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
#else
  return false;
#endif
}

bool use_simd() {
  static const bool supported = detect_avx2_fma();
  return supported && !g_force_portable.load(std::memory_order_relaxed);
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
  const int bs = block_size(W.type);
  if (W.cols % bs != 0) {
    throw std::invalid_argument(std::string(where) + ": " + shape(W) +
                                " has a column count that is not a multiple of its " + std::to_string(bs) +
                                "-value blocks");
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

// Rows of other types are decoded a chunk at a time into floats (the type's to_float) and then
// dotted: two plain loops the compiler vectorises, where a fused decode-and-multiply loop would
// stay scalar. The chunk is a whole number of blocks of every type in the table.
constexpr int kDecodeChunk = 256;

float dot_row_portable(const TypeTraits& tr, const uint8_t* row, int n, const float* x) {
  if (tr.type == DType::F32) {
    const auto* w = reinterpret_cast<const float*>(row);
    return dot_portable(n, x, [w](int i) { return w[i]; });
  }
  float buf[kDecodeChunk];
  float total = 0.0f;
  for (int c0 = 0; c0 < n; c0 += kDecodeChunk) {
    const int len = n - c0 < kDecodeChunk ? n - c0 : kDecodeChunk;
    tr.to_float(row + static_cast<size_t>(c0 / tr.block_size) * tr.block_bytes, buf, len);
    total += dot_portable(len, x + c0, [&buf](int i) { return buf[i]; });
  }
  return total;
}

void matvec_rows_portable(const Matrix& W, const float* x, float* y, int64_t r0, int64_t r1) {
  const TypeTraits& tr = type_traits(W.type);
  for (int64_t r = r0; r < r1; ++r) y[r] = dot_row_portable(tr, W.row(static_cast<int>(r)), W.cols, x);
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

// ---- products ---------------------------------------------------------------------------------

// The activations as the row kernels read them (TypeTraits::vec_dot_type): the caller's floats,
// or each token encoded once into a per-thread buffer. The portable path then multiplies by the
// decoded encoding, so it computes what the integer kernels compute.
struct Activations {
  const void* encoded;    // for the AVX2 kernel
  const float* portable;  // for the portable path
};

Activations prepare_activations(const TypeTraits& tr, const float* X, int T, int cols, bool simd) {
  if (tr.vec_dot_type == DType::F32) return {X, X};
  thread_local std::vector<uint8_t> encoded;
  thread_local std::vector<float> decoded;
  const TypeTraits& act = type_traits(tr.vec_dot_type);
  const size_t stride = row_bytes(act.type, static_cast<size_t>(cols));
  encoded.resize(stride * static_cast<size_t>(T));
  for (int t = 0; t < T; ++t)
    act.from_float(X + static_cast<int64_t>(t) * cols, encoded.data() + stride * static_cast<size_t>(t), cols);
  if (simd) return {encoded.data(), nullptr};
  decoded.resize(static_cast<size_t>(cols) * static_cast<size_t>(T));
  for (int t = 0; t < T; ++t)
    act.to_float(encoded.data() + stride * static_cast<size_t>(t), decoded.data() + static_cast<int64_t>(t) * cols, cols);
  return {encoded.data(), decoded.data()};
}

}  // namespace

void force_portable_kernels(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }

bool cpu_has_avx2_fma() { return use_simd(); }

void matvec(const Matrix& W, const float* x, float* y, ThreadPool& pool) {
  check_weights(W, "matvec");
  if (W.rows == 0) return;
  const TypeTraits& tr = type_traits(W.type);
  const MatvecRows simd = use_simd() ? tr.matvec_avx2 : nullptr;
  const Activations a = prepare_activations(tr, x, 1, W.cols, simd != nullptr);
  auto body = [&](int64_t r0, int64_t r1) {
    if (simd) return simd(W, a.encoded, y, r0, r1);
    matvec_rows_portable(W, a.portable, y, r0, r1);
  };
  if (W.bytes() < kMinParallelBytes) {
    body(0, W.rows);
  } else {
    pool.parallel_for(W.rows, body);
  }
}

void matmul(const Matrix& W, const float* X, int T, float* Y, ThreadPool& pool) {
  check_weights(W, "matmul");
  if (T < 0) throw std::invalid_argument("matmul: negative token count " + std::to_string(T));
  if (W.rows == 0 || T == 0) return;
  // One token (decode) is a matrix-vector product; its kernel scales Q8_0 blocks once per block
  // rather than once per 8 weights.
  if (T == 1) return matvec(W, X, Y, pool);
  const TypeTraits& tr = type_traits(W.type);
  const MatmulRows simd = use_simd() ? tr.matmul_avx2 : nullptr;
  const Activations a = prepare_activations(tr, X, T, W.cols, simd != nullptr);
  auto body = [&](int64_t r0, int64_t r1) {
    if (simd) return simd(W, a.encoded, T, Y, r0, r1);
    matmul_rows_portable(W, a.portable, T, Y, r0, r1);
  };
  if (W.bytes() * static_cast<size_t>(T) < kMinParallelBytes) {
    body(0, W.rows);
  } else {
    pool.parallel_for(W.rows, body);
  }
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

void rope(float* x, int n_heads, int head_dim, int pos, float theta, const float* freq_factors) {
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
    double freq = std::exp(-2.0 * i / head_dim * log_theta);
    if (freq_factors) freq /= freq_factors[i];
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
