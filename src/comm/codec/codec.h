// How one device's vector travels as bytes: the payload of the digital all-reduce on any
// transport. bytes(n) is the codec's byte model and is exact: what encode writes is what the
// transport moves and counts, so measured and modelled bytes agree by construction (and a test
// says so).
#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "comm/codec/block_quantizer.h"

namespace airtp {

class Codec {
 public:
  virtual ~Codec() = default;
  virtual std::string name() const = 0;  // "f32", "f16", "q8/32" (bits / values per scale)
  // Bytes of encode() for n values.
  virtual size_t bytes(size_t n) const = 0;
  // x.size() values into out (out.size() == bytes(x.size())).
  virtual void encode(std::span<const float> x, std::span<std::byte> out) const = 0;
  // The values the receiver reconstructs; out.size() values from in (in.size() == bytes(out.size())).
  virtual void decode(std::span<const std::byte> in, std::span<float> out) const = 0;
  // Values per scale: a vector cut into pieces for separate messages is cut at multiples of this,
  // so the pieces cost what the whole does.
  virtual size_t granularity() const { return 1; }
};

std::unique_ptr<Codec> make_f32_codec();
std::unique_ptr<Codec> make_f16_codec();
// The block quantizer's code: per block an fp16 scale, then the integers of the whole vector
// packed `bits` bits each (two's complement, little-endian bit order): bytes = wire_bytes(n).
// decode(encode(x)) is exactly q.round_trip(x).
std::unique_ptr<Codec> make_block_codec(const BlockQuantizer& q);

}  // namespace airtp
