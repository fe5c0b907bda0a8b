#include "tensor/dtype.h"

#include <stdexcept>
#include <string>

namespace airtp {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::Q8_0: return "Q8_0";
  }
  return "unknown";
}

size_t row_bytes(DType t, size_t n) {
  switch (t) {
    case DType::F32: return 4 * n;
    case DType::F16: return 2 * n;
    case DType::Q8_0:
      if (n % kQ8Block != 0) {
        throw std::invalid_argument("row_bytes: a Q8_0 row must hold a multiple of 32 values, got " +
                                    std::to_string(n));
      }
      return n / kQ8Block * sizeof(BlockQ8_0);
  }
  throw std::invalid_argument("row_bytes: unknown dtype " + std::to_string(static_cast<int>(t)));
}

int block_size(DType t) {
  switch (t) {
    case DType::F32:
    case DType::F16: return 1;
    case DType::Q8_0: return kQ8Block;
  }
  throw std::invalid_argument("block_size: unknown dtype " + std::to_string(static_cast<int>(t)));
}

double bytes_per_value(DType t) {
  const int b = block_size(t);
  return static_cast<double>(row_bytes(t, static_cast<size_t>(b))) / b;
}

}  // namespace airtp
