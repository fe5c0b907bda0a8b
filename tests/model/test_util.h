// Helpers shared by the model tests: fixture paths, a private temp dir, raw file I/O, and an
// assertion that a load fails with a ModelError naming the file and the problem.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "model/model_error.h"

namespace airtp::test {

inline std::string data_path(const std::string& name) { return std::string(AIRTP_TEST_DATA) + "/" + name; }
inline std::string stories_path() { return std::string(AIRTP_TEST_DATA) + "/stories260K.bin"; }

// A directory unique to this process, removed at exit. In RAM when possible: the corruption tests
// rewrite small files thousands of times.
inline const std::filesystem::path& temp_dir() {
  static const struct Dir {
    std::filesystem::path p;
    Dir() {
      std::error_code ec;
      const std::filesystem::path base =
          std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                        : std::filesystem::temp_directory_path();
      p = base / ("airtp_model_test_" + std::to_string(::getpid()));
      std::filesystem::create_directories(p);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } dir;
  return dir.p;
}
inline std::string temp_path(const std::string& name) { return (temp_dir() / name).string(); }

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
inline void write_bytes(const std::string& path, const uint8_t* p, size_t n) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
}
inline void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  write_bytes(path, b.data(), b.size());
}

// Runs `load` and checks it throws ModelError whose message names `path` and contains `phrase`.
inline void expect_model_error(const std::function<void()>& load, const std::string& path,
                               const std::string& phrase) {
  try {
    load();
    ADD_FAILURE() << "no error for " << path << " (expected \"" << phrase << "\")";
  } catch (const ModelError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
    EXPECT_NE(msg.find(phrase), std::string::npos) << "expected \"" << phrase << "\" in: " << msg;
  }
}

// IEEE half -> float, written from the format definition (independent of tensor/).
inline float half_to_float(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 31, man = h & 1023;
  double v;
  if (exp == 0)
    v = std::ldexp(man, -24);
  else if (exp == 31)
    v = man ? NAN : INFINITY;
  else
    v = std::ldexp(1024 + man, exp - 25);
  return static_cast<float>(sign ? -v : v);
}

}  // namespace airtp::test
