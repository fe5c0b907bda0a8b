// Strings from a file quoted in a message: printable ASCII, other bytes as \xNN (a NUL would
// cut the message, what() being a C string), bounded length.
#pragma once
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace airtp {

inline std::string printable(std::string_view s) {
  std::string out;
  for (const char ch : s.substr(0, 64)) {
    const auto c = static_cast<unsigned char>(ch);
    out += c < 0x20 || c >= 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, ch);
  }
  return s.size() > 64 ? out + "..." : out;
}

}  // namespace airtp
