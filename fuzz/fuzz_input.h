// Helpers shared by the fuzz targets: the loaders under test read files by path, so each input
// is put in an anonymous in-memory file (memfd) and handed over as /proc/self/fd/N.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace airtp::fuzz {

class MemFile {
 public:
  MemFile(const uint8_t* data, size_t size) {
    fd_ = ::memfd_create("airtp-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) die("memfd_create");
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) die("write");
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] static void die(const char* what) {
    std::perror(what);
    std::abort();
  }
  int fd_ = -1;
  std::string path_;
};

// A violated invariant of the code under test: report it and crash, so libFuzzer saves the input.
[[noreturn]] inline void invariant_failed(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "fuzz invariant violated: %s %s\n", what, detail.c_str());
  std::abort();
}

// A user-facing error message: one bounded line of printable UTF-8. Loaders quote names from the
// file; raw, a NUL cuts what() short, control characters reach the terminal and invalid UTF-8
// makes nlohmann::json refuse to put the message in a JSON report.
inline void check_message(const std::exception& e) {
  const std::string m = e.what();
  if (m.empty() || m.size() > 1024) invariant_failed("error message empty or longer than 1 KB:", m.substr(0, 200));
  for (size_t i = 0; i < m.size();) {
    const auto c = static_cast<unsigned char>(m[i]);
    if (c < 0x20 || c == 0x7f) invariant_failed("control character in an error message:", m);
    const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > m.size()) invariant_failed("invalid UTF-8 in an error message:", m);
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(m[i + k]) & 0xC0) != 0x80) invariant_failed("invalid UTF-8 in an error message:", m);
    i += len;
  }
}

}  // namespace airtp::fuzz
