#include "util/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace airtp {

namespace fs = std::filesystem;

namespace {

// Temporaries in flight, for the signal handler: fixed storage, because a handler may only read
// memory that is never reallocated. A slot is published by its `used` flag after the name is in.
constexpr int kSlots = 32;
struct Slot {
  std::atomic<bool> used{false};
  bool directory = false;
  char name[4096];
};
std::array<Slot, kSlots> g_slots;
std::mutex g_slot_mutex;

// Empties and removes a flat directory with system calls only (opendir may allocate, which a
// signal handler must not).
void remove_flat_directory(const char* dir) {
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    alignas(8) static char buf[8192];
    for (;;) {
      const long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        struct Entry {
          uint64_t ino;
          int64_t off;
          unsigned short reclen;
          unsigned char type;
          char name[1];
        };
        const auto* e = reinterpret_cast<const Entry*>(buf + off);
        if (std::strcmp(e->name, ".") != 0 && std::strcmp(e->name, "..") != 0) ::unlinkat(fd, e->name, 0);
        off += e->reclen;
      }
    }
    ::close(fd);
  }
  ::rmdir(dir);
}

void remove_temporaries_and_reraise(int sig) {
  for (auto& s : g_slots)
    if (s.used.load()) {
      if (s.directory) remove_flat_directory(s.name);
      else ::unlink(s.name);
    }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_handlers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      ::sigaction(sig, nullptr, &old);
      if (old.sa_handler != SIG_DFL) continue;  // someone else handles it (or it is ignored)
      struct sigaction sa {};
      sa.sa_handler = remove_temporaries_and_reraise;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

int claim_slot(const std::string& name, bool directory = false) {
  if (name.size() >= sizeof(Slot::name)) return -1;
  install_handlers_once();
  std::lock_guard lock(g_slot_mutex);
  for (int i = 0; i < kSlots; ++i) {
    auto& s = g_slots[static_cast<size_t>(i)];
    if (s.used.load()) continue;
    std::memcpy(s.name, name.c_str(), name.size() + 1);
    s.directory = directory;
    s.used.store(true);
    return i;
  }
  return -1;  // more temporaries than slots: still written safely, only not cleaned on a signal
}

void release_slot(int i) {
  if (i < 0) return;
  std::lock_guard lock(g_slot_mutex);
  g_slots[static_cast<size_t>(i)].used.store(false);
}

}  // namespace

TemporaryDirectoryGuard::TemporaryDirectoryGuard(const std::string& dir) : slot_(claim_slot(dir, true)) {}
TemporaryDirectoryGuard::~TemporaryDirectoryGuard() { release_slot(slot_); }

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const fs::path p(path_);
  if (p.filename().empty()) throw std::runtime_error(fmt::format("cannot write '{}': not a file name", path_));
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw std::runtime_error(fmt::format("cannot write '{}': it is a directory", path_));
  std::string tmpl = (p.parent_path() / fmt::format(".{}.XXXXXX.tmp", p.filename().string())).string();
  const int fd = ::mkstemps(tmpl.data(), 4);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write '{}': {}", path_, std::strerror(errno)));
  temp_ = tmpl;
  slot_ = claim_slot(temp_);
  // mkstemp makes the file private (0600); an output file gets the usual permissions.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int err = errno;
    ::close(fd);
    discard();
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path_, std::strerror(err)));
  }
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  release_slot(slot_);
  slot_ = -1;
}

void AtomicFile::write(const void* data, size_t n) {
  if (!file_) throw std::logic_error("AtomicFile::write after close");
  if (n > 0 && std::fwrite(data, 1, n, file_) != n)
    throw std::runtime_error(fmt::format("error writing '{}': {}", path_, std::strerror(errno)));
}

void AtomicFile::close_stream() {
  if (!file_) return;
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed)
    throw std::runtime_error(fmt::format("error writing '{}': {}", path_, std::strerror(flushed ? errno : err)));
}

void AtomicFile::commit() {
  if (temp_.empty()) throw std::logic_error("AtomicFile::commit twice");
  close_stream();
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error(fmt::format("cannot rename '{}' to '{}': {}", temp_, path_, std::strerror(errno)));
  temp_.clear();
  release_slot(slot_);
  slot_ = -1;
}

void write_file_atomic(const std::string& path, std::string_view content) {
  AtomicFile f(path);
  f.write(content.data(), content.size());
  f.commit();
}

void write_path_atomic(const std::string& path, const std::function<void(const std::string& temp)>& write) {
  AtomicFile f(path);
  f.close_stream();  // the writer opens the temporary by name
  write(f.temp_path());
  f.commit();
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace airtp
