// Writing output files so that a reader never sees a half-written one and an existing file is
// never lost to a failed or interrupted write.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace airtp {

// A file written under a temporary name in the destination's directory (".NAME.XXXXXX.tmp", so
// the final rename stays within one filesystem) and renamed over `path` by commit(). Destroyed
// without commit(), or when the process is ended by SIGINT/SIGTERM/SIGHUP, it removes the
// temporary. Throws std::runtime_error naming the path on any I/O error.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* stream() { return file_; }
  const std::string& temp_path() const { return temp_; }
  void write(const void* data, size_t n);
  // Flushes and closes the stream (for a writer that reopens temp_path() by name).
  void close_stream();
  // Closes the stream if open and renames the temporary over the destination.
  void commit();

 private:
  void discard();
  std::string path_, temp_;
  std::FILE* file_ = nullptr;
  int slot_ = -1;  // in the table the signal handler cleans up
};

// A directory of temporaries (flat: files only) to be emptied and removed if the process is
// ended by SIGINT/SIGTERM/SIGHUP while it is registered; the destructor unregisters it (and
// leaves removing it in normal operation to the owner).
class TemporaryDirectoryGuard {
 public:
  explicit TemporaryDirectoryGuard(const std::string& dir);
  ~TemporaryDirectoryGuard();
  TemporaryDirectoryGuard(const TemporaryDirectoryGuard&) = delete;
  TemporaryDirectoryGuard& operator=(const TemporaryDirectoryGuard&) = delete;

 private:
  int slot_ = -1;
};

// `content` to `path` through an AtomicFile.
void write_file_atomic(const std::string& path, std::string_view content);

// For writers that need a path rather than a stream: `write` fills the temporary file at the
// path it is given (and may check it), then the temporary is renamed over `path`.
void write_path_atomic(const std::string& path, const std::function<void(const std::string& temp)>& write);

// True when `a` and `b` name the same existing file (same device and inode: hard links and
// symlinks included).
bool same_file(const std::string& a, const std::string& b);

}  // namespace airtp
