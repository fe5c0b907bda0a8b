// Reading JSON input with errors a user can act on: every message names the source (a file, an
// experiment, "--set"), the field and the allowed values, and a key nobody reads is an error
// (it is almost always a typo). Scenario files, experiment parameters, scheme options and
// assignment files are all read through this.
#pragma once
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/input_error.h"

namespace airtp {

// The whole of `path` parsed as one JSON value. Errors name the file: it cannot be opened, it is
// not JSON, or text follows the value.
nlohmann::json read_json_file(const std::string& path);

// Typed, range-checked reads of the members of one JSON object. `path` is the object's place in
// the document ("devices[2]", "" for the top level); messages read
// "<source>: <path.key> = <value> is invalid: must be <rule>".
class JsonObjectReader {
 public:
  JsonObjectReader(const nlohmann::json& j, std::string path, std::string source);

  bool has(const std::string& key) const { return j_.contains(key); }
  const nlohmann::json& raw(const std::string& key);  // marks the key as read
  std::string field(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& rule) const;

  // A missing key takes `def`, or is an error when there is none. Number ranges are closed
  // unless lo_open / hi_open.
  double number(const std::string& key, std::optional<double> def, double lo = -HUGE_VAL, double hi = HUGE_VAL,
                bool lo_open = false, bool hi_open = false);
  int integer(const std::string& key, std::optional<int> def, int lo, int hi);
  std::string string(const std::string& key, std::optional<std::string> def,
                     const std::vector<std::string>& allowed = {});
  bool boolean(const std::string& key, std::optional<bool> def);
  // Non-empty arrays whose every element obeys the rule.
  std::vector<double> numbers(const std::string& key, double lo, double hi);
  std::vector<int> integers(const std::string& key, int lo, int hi);
  std::vector<std::string> strings(const std::string& key, const std::vector<std::string>& allowed = {});

  // Keys that are allowed although this reading did not use them (listed in the error).
  void known(std::initializer_list<const char*> keys);
  // Call after reading: any key not read is an error listing the allowed ones.
  void finish() const;

 private:
  [[noreturn]] void missing(const std::string& key) const;
  const nlohmann::json& j_;
  std::string path_, source_;
  std::set<std::string> used_, known_;
};

}  // namespace airtp
