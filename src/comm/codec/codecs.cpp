#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "comm/codec/codec.h"
#include "tensor/fp16.h"

namespace airtp {
namespace {

void check_sizes(const Codec& c, size_t values, size_t bytes, const char* what) {
  if (bytes != c.bytes(values))
    throw std::logic_error(fmt::format("{} codec {}: {} bytes for {} values, expected {}", c.name(), what, bytes,
                                       values, c.bytes(values)));
}

class F32Codec final : public Codec {
 public:
  std::string name() const override { return "f32"; }
  size_t bytes(size_t n) const override { return 4 * n; }
  void encode(std::span<const float> x, std::span<std::byte> out) const override {
    check_sizes(*this, x.size(), out.size(), "encode");
    std::memcpy(out.data(), x.data(), out.size());
  }
  void decode(std::span<const std::byte> in, std::span<float> out) const override {
    check_sizes(*this, out.size(), in.size(), "decode");
    std::memcpy(out.data(), in.data(), in.size());
  }
};

class F16Codec final : public Codec {
 public:
  std::string name() const override { return "f16"; }
  size_t bytes(size_t n) const override { return 2 * n; }
  void encode(std::span<const float> x, std::span<std::byte> out) const override {
    check_sizes(*this, x.size(), out.size(), "encode");
    for (size_t i = 0; i < x.size(); ++i) {
      const uint16_t h = fp32_to_fp16(x[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
  }
  void decode(std::span<const std::byte> in, std::span<float> out) const override {
    check_sizes(*this, out.size(), in.size(), "decode");
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, in.data() + 2 * i, 2);
      out[i] = fp16_to_fp32(h);
    }
  }
};

// Little-endian bit stream of fixed-width fields.
class BitWriter {
 public:
  explicit BitWriter(std::byte* p) : p_(p) {}
  void put(uint32_t v, int bits) {
    for (int b = 0; b < bits; ++b, ++pos_)
      if (v >> b & 1u) p_[pos_ / 8] |= static_cast<std::byte>(1u << (pos_ % 8));
  }

 private:
  std::byte* p_;
  size_t pos_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const std::byte* p) : p_(p) {}
  uint32_t get(int bits) {
    uint32_t v = 0;
    for (int b = 0; b < bits; ++b, ++pos_)
      if (std::to_integer<uint32_t>(p_[pos_ / 8]) >> (pos_ % 8) & 1u) v |= 1u << b;
    return v;
  }

 private:
  const std::byte* p_;
  size_t pos_ = 0;
};

class BlockCodec final : public Codec {
 public:
  explicit BlockCodec(const BlockQuantizer& q) : q_(q) { q_.validate(); }
  std::string name() const override { return fmt::format("q{}/{}", q_.bits, q_.block); }
  size_t bytes(size_t n) const override { return q_.wire_bytes(n); }
  size_t granularity() const override { return static_cast<size_t>(q_.block); }

  // The arithmetic is BlockQuantizer::round_trip's, so decode(encode(x)) equals it exactly.
  void encode(std::span<const float> x, std::span<std::byte> out) const override {
    check_sizes(*this, x.size(), out.size(), "encode");
    std::fill(out.begin(), out.end(), std::byte{0});
    const size_t B = static_cast<size_t>(q_.block), blocks = (x.size() + B - 1) / B;
    const float qmax = static_cast<float>((1 << (q_.bits - 1)) - 1);
    const uint32_t mask = (1u << q_.bits) - 1;
    std::byte* code_bytes = out.data() + 2 * blocks;
    BitWriter codes(code_bytes);
    for (size_t b = 0; b < blocks; ++b) {
      const size_t e = std::min(x.size(), (b + 1) * B);
      float amax = 0;
      for (size_t i = b * B; i < e; ++i) amax = std::max(amax, std::abs(x[i]));
      const uint16_t dh = fp32_to_fp16(amax / qmax);
      std::memcpy(out.data() + 2 * b, &dh, 2);
      const float d = fp16_to_fp32(dh);
      const float id = d != 0 ? 1.0f / d : 0.0f;
      for (size_t i = b * B; i < e; ++i) {
        const int q = static_cast<int>(std::clamp(std::nearbyint(x[i] * id), -qmax, qmax));
        // Whole-byte widths are the hot case (8 bits): the bit stream then is plain bytes.
        if (q_.bits == 8) code_bytes[i] = static_cast<std::byte>(static_cast<uint8_t>(q));
        else codes.put(static_cast<uint32_t>(q) & mask, q_.bits);
      }
    }
  }

  void decode(std::span<const std::byte> in, std::span<float> out) const override {
    check_sizes(*this, out.size(), in.size(), "decode");
    const size_t B = static_cast<size_t>(q_.block), blocks = (out.size() + B - 1) / B;
    const uint32_t sign = 1u << (q_.bits - 1);
    const std::byte* code_bytes = in.data() + 2 * blocks;
    BitReader codes(code_bytes);
    for (size_t b = 0; b < blocks; ++b) {
      uint16_t dh;
      std::memcpy(&dh, in.data() + 2 * b, 2);
      const float d = fp16_to_fp32(dh);
      const size_t e = std::min(out.size(), (b + 1) * B);
      for (size_t i = b * B; i < e; ++i) {
        int q;
        if (q_.bits == 8) {
          q = static_cast<int8_t>(std::to_integer<uint8_t>(code_bytes[i]));
        } else {
          const uint32_t u = codes.get(q_.bits);
          q = (u & sign) ? static_cast<int>(u) - (1 << q_.bits) : static_cast<int>(u);  // sign-extend
        }
        out[i] = static_cast<float>(q) * d;
      }
    }
  }

 private:
  BlockQuantizer q_;
};

}  // namespace

std::unique_ptr<Codec> make_f32_codec() { return std::make_unique<F32Codec>(); }
std::unique_ptr<Codec> make_f16_codec() { return std::make_unique<F16Codec>(); }
std::unique_ptr<Codec> make_block_codec(const BlockQuantizer& q) { return std::make_unique<BlockCodec>(q); }

}  // namespace airtp
