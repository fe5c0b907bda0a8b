#include "util/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace airtp {

using nlohmann::json;

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot open '{}'", path));
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    // Parsing the whole text (not `in >> j`) makes anything after the value an error.
    return json::parse(ss.str());
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
}

JsonObjectReader::JsonObjectReader(const json& j, std::string path, std::string source)
    : j_(j), path_(std::move(path)), source_(std::move(source)) {
  if (!j_.is_object())
    throw InputError(fmt::format("{}: {} must be a JSON object", source_, path_.empty() ? "the input" : path_));
}

const json& JsonObjectReader::raw(const std::string& key) {
  used_.insert(key);
  return j_.at(key);
}

std::string JsonObjectReader::field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void JsonObjectReader::fail(const std::string& key, const std::string& value, const std::string& rule) const {
  throw InputError(fmt::format("{}: {} = {} is invalid: must be {}", source_, field(key), value, rule));
}

void JsonObjectReader::missing(const std::string& key) const {
  throw InputError(fmt::format("{}: {} is missing (required)", source_, field(key)));
}

namespace {

std::string number_rule(double lo, double hi, bool lo_open, bool hi_open) {
  const bool l = std::isfinite(lo), h = std::isfinite(hi);
  if (l && h) return fmt::format("a number in {}{}, {}{}", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
  if (l) return fmt::format("a number {} {}", lo_open ? ">" : ">=", lo);
  if (h) return fmt::format("a number {} {}", hi_open ? "<" : "<=", hi);
  return "a finite number";
}

bool number_ok(const json& v, double lo, double hi, bool lo_open, bool hi_open) {
  if (!v.is_number()) return false;
  const double x = v.get<double>();
  return std::isfinite(x) && (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
}

bool integer_ok(const json& v, int lo, int hi) {
  return v.is_number_integer() && v.get<long long>() >= lo && v.get<long long>() <= hi;
}

bool allowed_ok(const std::string& s, const std::vector<std::string>& allowed) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

std::string string_rule(const std::vector<std::string>& allowed) {
  return allowed.empty() ? std::string("a string") : fmt::format("one of {}", fmt::join(allowed, ", "));
}

}  // namespace

double JsonObjectReader::number(const std::string& key, std::optional<double> def, double lo, double hi,
                                bool lo_open, bool hi_open) {
  if (!has(key)) {
    if (def) return *def;
    missing(key);
  }
  const json& v = raw(key);
  if (!number_ok(v, lo, hi, lo_open, hi_open)) fail(key, v.dump(), number_rule(lo, hi, lo_open, hi_open));
  return v.get<double>();
}

int JsonObjectReader::integer(const std::string& key, std::optional<int> def, int lo, int hi) {
  if (!has(key)) {
    if (def) return *def;
    missing(key);
  }
  const json& v = raw(key);
  if (!integer_ok(v, lo, hi)) fail(key, v.dump(), fmt::format("an integer in [{}, {}]", lo, hi));
  return v.get<int>();
}

std::string JsonObjectReader::string(const std::string& key, std::optional<std::string> def,
                                     const std::vector<std::string>& allowed) {
  if (!has(key)) {
    if (def) return *def;
    missing(key);
  }
  const json& v = raw(key);
  if (!v.is_string() || !allowed_ok(v.get<std::string>(), allowed)) fail(key, v.dump(), string_rule(allowed));
  return v.get<std::string>();
}

bool JsonObjectReader::boolean(const std::string& key, std::optional<bool> def) {
  if (!has(key)) {
    if (def) return *def;
    missing(key);
  }
  const json& v = raw(key);
  if (!v.is_boolean()) fail(key, v.dump(), "true or false");
  return v.get<bool>();
}

std::vector<double> JsonObjectReader::numbers(const std::string& key, double lo, double hi) {
  if (!has(key)) missing(key);
  const json& v = raw(key);
  const std::string rule = "a non-empty array whose every element is " + number_rule(lo, hi, false, false);
  if (!v.is_array() || v.empty()) fail(key, v.dump(), rule);
  std::vector<double> out;
  for (const auto& e : v) {
    if (!number_ok(e, lo, hi, false, false)) fail(key, v.dump(), rule);
    out.push_back(e.get<double>());
  }
  return out;
}

std::vector<int> JsonObjectReader::integers(const std::string& key, int lo, int hi) {
  if (!has(key)) missing(key);
  const json& v = raw(key);
  const std::string rule = fmt::format("a non-empty array whose every element is an integer in [{}, {}]", lo, hi);
  if (!v.is_array() || v.empty()) fail(key, v.dump(), rule);
  std::vector<int> out;
  for (const auto& e : v) {
    if (!integer_ok(e, lo, hi)) fail(key, v.dump(), rule);
    out.push_back(e.get<int>());
  }
  return out;
}

std::vector<std::string> JsonObjectReader::strings(const std::string& key, const std::vector<std::string>& allowed) {
  if (!has(key)) missing(key);
  const json& v = raw(key);
  const std::string rule = "a non-empty array whose every element is " + string_rule(allowed);
  if (!v.is_array() || v.empty()) fail(key, v.dump(), rule);
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string() || !allowed_ok(e.get<std::string>(), allowed)) fail(key, v.dump(), rule);
    out.push_back(e.get<std::string>());
  }
  return out;
}

void JsonObjectReader::known(std::initializer_list<const char*> keys) {
  for (auto k : keys) known_.insert(k);
}

void JsonObjectReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (used_.count(it.key())) continue;
    std::set<std::string> all(known_.begin(), known_.end());
    all.insert(used_.begin(), used_.end());
    throw InputError(fmt::format("{}: unknown key {} (allowed: {})", source_, field(it.key()), fmt::join(all, ", ")));
  }
}

}  // namespace airtp
