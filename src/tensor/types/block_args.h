// Argument check shared by the block codecs of this folder.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace airtp {

inline void check_block_count(int64_t n, int block, const char* where) {
  if (n < 0 || n % block != 0)
    throw std::invalid_argument(std::string(where) + ": n must be a non-negative multiple of " + std::to_string(block) +
                                ", got " + std::to_string(n));
}

}  // namespace airtp
