// The numerical kernels of the forward pass. Each has a portable path and, on x86-64 CPUs with
// AVX2 and FMA (checked at run time), a SIMD path; the result must not depend on which runs
// beyond float rounding. Matrix-vector work streams every weight byte exactly once, because
// single-token decode is memory-bound.
#pragma once
#include <cstdint>

#include "tensor/fp16.h"
#include "tensor/matrix.h"
#include "tensor/threadpool.h"

namespace airtp {

// y[rows] = W x[cols]. Rows are split over the pool.
void matvec(const Matrix& W, const float* x, float* y, ThreadPool& pool);

// Y[t][rows] = W X[t][cols] for t in [0, T): batched prefill. Each weight row is read once per
// tile of tokens, not once per token (with AVX2: once per group of as many tokens as fit in
// ~1 MB of activations, e.g. 60 at cols = 4096). T == 1 runs matvec.
void matmul(const Matrix& W, const float* X, int T, float* Y, ThreadPool& pool);

// out = x / rms(x) * w  (n values; eps inside the square root as in Llama).
void rmsnorm(float* out, const float* x, const float* w, int n, float eps);

// Rotary embedding in the Meta/GGML "normal" layout: consecutive pairs (x[2i], x[2i+1]) of each
// head are rotated by pos * theta^(-2i/head_dim), divided by freq_factors[i] when given (Llama
// 3.1's frequency scaling, the model's rope_freqs tensor of head_dim/2 values).
void rope(float* x, int n_heads, int head_dim, int pos, float theta, const float* freq_factors = nullptr);

// In-place softmax over n values (max-subtracted). Any NaN input gives NaN outputs; n values
// that are all -inf throw std::invalid_argument (nothing to normalize).
void softmax(float* x, int n);

// out[i] = silu(gate[i]) * up[i]  (SwiGLU).
void swiglu(float* out, const float* gate, const float* up, int n);

// True when the AVX2+FMA code paths are in use on this CPU (false while forced portable).
bool cpu_has_avx2_fma();

// Makes every kernel take its portable path even on an AVX2 CPU (for tests and benchmarks that
// compare the two); false restores the run-time choice. Process-wide; not meant to be flipped
// while kernels run on other threads.
void force_portable_kernels(bool on);

}  // namespace airtp
