#include "cli/parameter_flags.h"

#include <map>

#include "util/parameter_error.h"

namespace airtp::cli {

namespace {
std::map<std::string, std::string>& flags() {
  static std::map<std::string, std::string> m;
  return m;
}
}  // namespace

std::string long_flag(const std::string& f) {
  const size_t p = f.find("--");
  return p == std::string::npos ? f : f.substr(p, f.find(',', p) - p);
}

void map_parameter(const std::string& parameter, const std::string& flag) {
  // Every command spells a parameter the same way, so the first mapping is the mapping.
  flags().emplace(parameter, flag);
}

std::string error_message(const std::exception& e) {
  if (const auto* pe = dynamic_cast<const ParameterError*>(&e)) {
    const auto it = flags().find(pe->parameter());
    if (it != flags().end()) return it->second + " " + pe->problem();
  }
  return e.what();
}

}  // namespace airtp::cli
