// Writing result files so that a reader never sees a half-written one.
#pragma once
#include <string>
#include <string_view>

namespace airtp {

// Writes `content` to `path`.tmp, flushes it, then renames it over `path`: readers see either the
// old file or the complete new one. Throws std::runtime_error naming the path on any I/O error
// (and removes the temporary).
void write_file_atomic(const std::string& path, std::string_view content);

}  // namespace airtp
