// Bounds-checked little-endian reading of an in-memory file. Every read checks the remaining
// size first, so a truncated or hostile file produces a ModelError instead of a wild read.
#pragma once
#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "model/model_error.h"

namespace airtp {

static_assert(std::endian::native == std::endian::little,
              "model files are little-endian and read in place");

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string path)
      : data_(data), size_(size), path_(std::move(path)) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  const std::string& path() const { return path_; }
  const uint8_t* data() const { return data_; }

  [[noreturn]] void fail(std::string_view msg) const { throw ModelError(fmt::format("{}: {}", path_, msg)); }

  // What is being read, for error messages ("metadata 'llama.block_count'"); set once per item so
  // that the hot loops pass only constant strings.
  void set_context(std::string context) { context_ = std::move(context); }

  void need(size_t n, std::string_view what) const {
    if (n > remaining())
      fail(fmt::format("truncated file: {}{}{} at offset {} needs {} bytes, but the file has {} bytes",
                       what, context_.empty() ? "" : " of ", context_, pos_, n, size_));
  }

  template <class T>
  T read(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string_view bytes(size_t n, std::string_view what) {
    need(n, what);
    std::string_view s(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return s;
  }

  void skip(size_t n, std::string_view what) {
    need(n, what);
    pos_ += n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string path_;
  std::string context_;
};

}  // namespace airtp
