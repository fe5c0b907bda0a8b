// Block-wise symmetric absmax quantizer of the digital all-reduce. With 8 bits and blocks of 32
// it is exactly GGML's Q8_0 (the Q80 sync format of distributed-llama): per block one fp16
// scale d = max|x| / (2^(bits-1) - 1) and integers q = round(x / d).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace airtp {

struct BlockQuantizer {
  int bits = 8;    // 2..16
  int block = 32;  // values per scale

  void validate() const;  // throws std::invalid_argument naming the bad parameter
  // Bytes on the wire for n values: packed integers plus one fp16 scale per block.
  uint64_t wire_bytes(size_t n) const;
  // Replaces x by dequantize(quantize(x)) in place: the value the receiver reconstructs.
  void round_trip(std::span<float> x) const;
  // The expected squared error of round_trip on x when rounding errors are uniform on
  // [-d/2, d/2]: sum over blocks of block_len * d^2 / 12 (ignores fp16 rounding of d).
  double expected_sq_error(std::span<const float> x) const;
};

}  // namespace airtp
