// Element types of weight tensors (llama.cpp/GGML's storage layouts). What each type is — its
// name, GGUF id, block layout, codecs and kernels — is one row of tensor/type_traits.h; these
// helpers read that table.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airtp {

enum class DType : uint8_t {
  F32, F16, Q8_0, Q8_K,
  Q4_0, Q4_1, Q5_0, Q5_1, Q6_K,  // 32-value blocks with one scale, and Q6_K
  Q2_K, Q3_K, Q4_K, Q5_K,        // k-quants with per-sub-block scales (tensor/types/kquants.h)
};

std::string_view dtype_name(DType t);

// Bytes taken by one row of `n` values; n must be a multiple of block_size(t) (throws
// std::invalid_argument naming the type otherwise).
size_t row_bytes(DType t, size_t n);

// Values per storage block (1 for F32/F16, 32 for Q8_0): the granularity at which a row can be
// cut when a matrix is split by columns.
int block_size(DType t);

// Storage per value including the block scales (4 for F32, 34/32 for Q8_0): what the latency
// model charges for reading one weight.
double bytes_per_value(DType t);

}  // namespace airtp
