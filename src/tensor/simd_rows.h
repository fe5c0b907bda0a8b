// The AVX2+FMA+F16C row kernels of kernels_avx2.cpp and types/*_avx2.cpp, the only files compiled
// for those extensions; the type table points at them and kernels.cpp calls them only after checking the
// CPU at run time.
#pragma once
#include <cstdint>

#include "tensor/matrix.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define AIRTP_HAVE_X86_SIMD 1
#else
#define AIRTP_HAVE_X86_SIMD 0
#endif

#if AIRTP_HAVE_X86_SIMD
namespace airtp::simd {

void matvec_rows_f32(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_f16(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q8_0(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matmul_rows_f32(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_f16(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q8_0(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
// types/legacy_avx2.cpp: activations in the type's vec_dot_type (Q8_0 blocks; Q8_K for Q6_K).
void matvec_rows_q4_0(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q4_1(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q5_0(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q5_1(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q6_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matmul_rows_q4_0(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q4_1(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q5_0(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q5_1(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q6_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
// The k-quants (types/kquants_avx2.cpp); x / X are Q8_K blocks.
void matvec_rows_q2_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q3_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q4_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matvec_rows_q5_k(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
void matmul_rows_q2_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q3_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q4_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);
void matmul_rows_q5_k(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);

}  // namespace airtp::simd
#endif
