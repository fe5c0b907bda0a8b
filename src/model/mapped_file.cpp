#include "model/mapped_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "model/model_error.h"

namespace airtp {

MappedFile map_file(const std::string& path, const char* what) {
  auto fail = [&](const char* step) {
    throw ModelError(fmt::format("{}: cannot open {}: {} ({})", path, what, std::strerror(errno), step));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail("fstat");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ModelError(fmt::format("{}: cannot open {}: not a regular file", path, what));
  }
  MappedFile m;
  m.size = static_cast<size_t>(st.st_size);
  if (m.size == 0) {  // mmap rejects length 0; the format readers report the empty file
    ::close(fd);
    return m;
  }
  void* p = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);  // the mapping stays valid without the descriptor
  if (p == MAP_FAILED) {
    errno = e;
    fail("mmap");
  }
  m.data = static_cast<const uint8_t*>(p);
  const size_t len = m.size;
  m.keep = std::shared_ptr<void>(p, [len](void* q) { ::munmap(q, len); });
  return m;
}

void release_mapped_pages(const void* p, size_t n) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const auto end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
  // Advice only: a failure leaves the pages resident, which costs memory, not correctness.
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace airtp
