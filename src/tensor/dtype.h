// Element types of weight tensors and their storage layouts (llama.cpp/GGML compatible).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airtp {

enum class DType : uint8_t { F32, F16, Q8_0 };

// GGML's Q8_0: 32 values share one fp16 scale d; value = d * qs[i].
inline constexpr int kQ8Block = 32;
struct BlockQ8_0 {
  uint16_t d;  // IEEE half
  int8_t qs[kQ8Block];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must match GGML's 34-byte layout");

std::string_view dtype_name(DType t);

// Bytes taken by one row of `n` values; n must be a multiple of kQ8Block for Q8_0.
size_t row_bytes(DType t, size_t n);

// Number of values per storage block (1 for F32/F16, 32 for Q8_0): the granularity at which a
// row can be cut when a matrix is split by columns.
int block_size(DType t);

// Storage per value including the block scales (4 for F32, 34/32 for Q8_0): what the latency
// model charges for reading one weight.
double bytes_per_value(DType t);

}  // namespace airtp
