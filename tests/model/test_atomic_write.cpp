// Output files are replaced whole or not at all: a write that fails (here: a check of the
// temporary that throws, as `airtp convert`'s read-back does) leaves the old file and no
// temporary; a successful one leaves only the new file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "model/gguf_writer.h"
#include "util/atomic_file.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;

struct RemoveScratch : ::testing::Environment {
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::temp_directory_path() / ("airtp-atomic-" + std::to_string(::getpid())), ec);
  }
};
const auto* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("airtp-atomic-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

size_t entries(const fs::path& d) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++n;
  return n;
}

TEST(AtomicWrite, FailedCheckLeavesTheOldFileAndNoTemporary) {
  const fs::path d = fresh_dir("check");
  const fs::path out = d / "m.gguf";
  std::ofstream(out) << "precious";
  gguf::Writer w;
  w.add_uint32("x", 1);
  std::string seen;
  EXPECT_THROW(w.write(out.string(),
                       [&](const std::string& temp) {
                         seen = temp;
                         EXPECT_EQ(slurp(temp).rfind("GGUF", 0), 0u) << "the check sees the complete file";
                         throw std::runtime_error("read-back failed");
                       }),
               std::runtime_error);
  EXPECT_EQ(slurp(out), "precious");
  EXPECT_EQ(fs::path(seen).parent_path(), d) << "the temporary lives beside the destination";
  EXPECT_EQ(entries(d), 1u) << "a temporary was left behind";
}

TEST(AtomicWrite, SuccessReplacesTheFileAndLeavesOnlyIt) {
  const fs::path d = fresh_dir("ok");
  const fs::path out = d / "r.csv";
  std::ofstream(out) << "old";
  write_file_atomic(out.string(), "new,content\n");
  EXPECT_EQ(slurp(out), "new,content\n");
  EXPECT_EQ(entries(d), 1u);
}

TEST(AtomicWrite, UncommittedFileIsRemoved) {
  const fs::path d = fresh_dir("abandon");
  {
    AtomicFile f((d / "x.json").string());
    f.write("{", 1);
  }
  EXPECT_EQ(entries(d), 0u);
}

TEST(AtomicWrite, SameFileSeesThroughLinks) {
  const fs::path d = fresh_dir("same");
  std::ofstream(d / "a") << "a";
  std::ofstream(d / "b") << "b";
  fs::create_symlink(d / "a", d / "s");
  EXPECT_TRUE(same_file((d / "a").string(), (d / "s").string()));
  EXPECT_TRUE(same_file((d / "a").string(), (d / "." / "a").string()));
  EXPECT_FALSE(same_file((d / "a").string(), (d / "b").string()));
  EXPECT_FALSE(same_file((d / "a").string(), (d / "missing").string()));
}

}  // namespace
}  // namespace airtp
