#include "cli/parameter_flags.h"

#include <map>
#include <regex>

#include "util/parameter_error.h"

namespace airtp::cli {

namespace {
std::map<std::string, std::string>& flags() {
  static std::map<std::string, std::string> m;
  return m;
}
// Every spelling of a flag ("-t", "--threads") -> its range.
std::map<std::string, std::string>& ranges() {
  static std::map<std::string, std::string> m;
  return m;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
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

void set_range(const std::string& spellings, const std::string& range) {
  size_t start = 0;
  for (;;) {
    const size_t comma = spellings.find(',', start);
    ranges()[spellings.substr(start, comma == std::string::npos ? std::string::npos : comma - start)] = range;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

std::string error_message(const std::exception& e) {
  if (const auto* pe = dynamic_cast<const ParameterError*>(&e)) {
    const auto it = flags().find(pe->parameter());
    if (it != flags().end()) return it->second + " " + pe->problem();
  }
  return one_line(e.what());
}

std::string parse_error_message(const CLI::ParseError& e) {
  const std::string what = one_line(e.what());
  std::smatch m;
  // CLI11: "The value x is not an allowed value for --threads" (a number flag given text).
  static const std::regex conversion(R"(The value (.*) is not an allowed value for (\S+))");
  if (std::regex_match(what, m, conversion)) {
    const std::string flag = m[2];
    const auto r = ranges().find(flag);
    return flag + " '" + m[1].str() + "' is not a number" + (r != ranges().end() ? " (allowed: " + r->second + ")" : "");
  }
  static const std::regex conversion2(R"(Could not convert: (\S+) = (.*))");
  if (std::regex_match(what, m, conversion2)) {
    const std::string flag = m[1];
    const auto r = ranges().find(flag);
    return flag + " '" + m[2].str() + "' is not a number" + (r != ranges().end() ? " (allowed: " + r->second + ")" : "");
  }
  static const std::regex extras(R"(The following arguments? (?:was|were) not expected: (.*))");
  if (std::regex_match(what, m, extras))
    return "unknown option or extra argument: " + m[1].str() + " (--help lists the options)";
  return what + " (--help lists the options)";
}

}  // namespace airtp::cli
