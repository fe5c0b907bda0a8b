#include "util/resources.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace airtp {

namespace fs = std::filesystem;

namespace {

// The executable's directory, its parent and the parent's share/airtp.
std::vector<std::string> executable_dirs() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = exe.parent_path();
  return {dir.string(), dir.parent_path().string(), (dir.parent_path() / "share" / "airtp").string()};
}

}  // namespace

std::vector<std::string> data_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("AIRTP_DATA_DIR"); env && *env) dirs.emplace_back(env);
  dirs.push_back(".");
  for (auto& d : executable_dirs()) dirs.push_back(std::move(d));
  return dirs;
}

std::optional<std::string> find_data_file(const std::string& relative) {
  for (const auto& d : data_search_dirs()) {
    const fs::path p = fs::path(d) / relative;
    std::error_code ec;
    if (fs::exists(p, ec)) return p.lexically_normal().string();
  }
  return std::nullopt;
}

std::string resolve_data_path(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (path.empty() || p.is_absolute() || fs::exists(p, ec)) return path;
  return find_data_file(path).value_or(path);
}

std::string source_commit() {
  // Only the tree the executable lives in: the working directory may be any other repository.
  for (const auto& d : executable_dirs()) {
    std::error_code ec;
    if (!fs::exists(fs::path(d) / ".git", ec)) continue;
    const std::string cmd = fmt::format("git -C '{}' rev-parse --short HEAD 2>/dev/null", d);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return {};
    char buf[64] = {};
    const bool ok = std::fgets(buf, sizeof buf, p) != nullptr;
    ::pclose(p);
    std::string s = ok ? buf : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  return {};
}

}  // namespace airtp
