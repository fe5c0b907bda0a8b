#include "tp/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "util/json_reader.h"
#include "util/parameter_error.h"

namespace airtp {
namespace {

// Largest-remainder apportionment of `total` items; a device with a non-zero fraction gets at
// least `min_each`, a device asked for nothing gets nothing (the optimizer may switch one off).
std::vector<int> apportion(int total, std::span<const double> fractions, int min_each) {
  const int n = static_cast<int>(fractions.size());
  std::vector<int> count(static_cast<size_t>(n), 0);
  int left = total;
  for (int i = 0; i < n; ++i)
    if (fractions[i] > 0) { count[i] = min_each; left -= min_each; }
  if (left < 0) throw std::invalid_argument("not enough units to give each device its minimum");
  // Distribute what is left so that the final counts approach fraction * total.
  std::vector<double> want(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) want[i] = fractions[i] * total;
  while (left > 0) {
    int best = 0;
    double best_gap = -1e300;
    for (int i = 0; i < n; ++i) {
      const double gap = want[i] - count[i];
      if (gap > best_gap + 1e-12) { best_gap = gap; best = i; }
    }
    ++count[best];
    --left;
  }
  return count;
}

}  // namespace

Plan make_plan(const ModelConfig& c, std::span<const double> fractions, int unit_block) {
  const int n = static_cast<int>(fractions.size());
  if (n < 1) throw ParameterError("devices", "must be at least 1");
  const auto active = std::count_if(fractions.begin(), fractions.end(), [](double f) { return f > 0; });
  if (n > c.n_kv_heads && active == n)
    throw ParameterError("devices", fmt::format(
        "{} is more than the model's {} KV heads: each device needs at least one KV group (allowed: 1..{})", n,
        c.n_kv_heads, c.n_kv_heads));
  if (active > c.n_kv_heads)
    throw ParameterError("shares", fmt::format(
        "gives {} devices a non-zero share but the model has only {} KV heads (each needs one)", active, c.n_kv_heads));
  double sum = 0;
  for (double f : fractions) {
    if (!(f >= 0) || !std::isfinite(f))
      throw ParameterError("shares", fmt::format("must each be a number >= 0 (got {})", f));
    sum += f;
  }
  if (std::abs(sum - 1.0) > 1e-6)
    throw ParameterError("shares", fmt::format("must sum to 1 (they sum to {:.6g})", sum));
  if (unit_block < 1 || c.hidden_dim % unit_block != 0)
    throw std::invalid_argument(fmt::format(
        "hidden size {} is not a multiple of the split granularity {}", c.hidden_dim, unit_block));

  Plan plan;
  plan.unit_block = unit_block;
  const auto kv = apportion(c.n_kv_heads, fractions, 1);
  const int blocks = c.hidden_dim / unit_block;
  const auto ub = apportion(blocks, fractions, blocks >= active ? 1 : 0);
  int kv0 = 0, u0 = 0;
  for (int i = 0; i < n; ++i) {
    DeviceShare d;
    d.requested = fractions[i];
    d.kv_begin = kv0;
    d.kv_end = kv0 + kv[i];
    d.head_begin = d.kv_begin * c.heads_per_kv();
    d.head_end = d.kv_end * c.heads_per_kv();
    d.unit_begin = u0 * unit_block;
    d.unit_end = (u0 + ub[i]) * unit_block;
    kv0 = d.kv_end;
    u0 += ub[i];
    plan.devices.push_back(d);
  }
  return plan;
}

int mlp_unit_block(const ModelConfig& c, int block, int n_devices) {
  constexpr int kFine = 32;
  if (block <= kFine || c.hidden_dim / block >= 4 * n_devices) return block;
  return c.hidden_dim % kFine == 0 ? kFine : 1;
}

Plan make_even_plan(const ModelConfig& c, int n_devices, int unit_block) {
  if (n_devices < 1) throw ParameterError("devices", "must be at least 1");
  std::vector<double> f(static_cast<size_t>(n_devices), 1.0 / n_devices);
  return make_plan(c, f, unit_block);
}

std::vector<double> Plan::realised_shares(const ModelConfig& c) const {
  const double hd = c.head_dim();
  const double attn_per_kv = hd * c.dim * (2.0 * c.heads_per_kv() + 2.0);  // q, o + k, v
  const double mlp_per_unit = 3.0 * c.dim;
  const double total = attn_per_kv * c.n_kv_heads + mlp_per_unit * c.hidden_dim;
  std::vector<double> s;
  for (const auto& d : devices) s.push_back((attn_per_kv * d.kv_heads() + mlp_per_unit * d.units()) / total);
  return s;
}

namespace {
// "8-11", or "none" for a device with a zero share (not "8-7").
std::string span_text(int begin, int end) { return end > begin ? fmt::format("{}-{}", begin, end - 1) : "none"; }
}  // namespace

std::string Plan::describe(const ModelConfig& c) const {
  std::ostringstream os;
  const auto real = realised_shares(c);
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    // Every device of the job takes part in every all-reduce (the collectives have no silent
    // members), so one that holds nothing still sends and receives: said here, next to its bytes.
    const bool idle = d.head_end == d.head_begin && d.unit_end == d.unit_begin;
    os << fmt::format("device {}: share {:.3f} (asked {:.3f})  heads {}  kv heads {}  mlp units {}{}\n", i, real[i],
                      d.requested, span_text(d.head_begin, d.head_end), span_text(d.kv_begin, d.kv_end),
                      span_text(d.unit_begin, d.unit_end), idle ? " (computes nothing; still sends a zero partial to each all-reduce)" : "");
  }
  return os.str();
}

namespace {

// Each share a finite number >= 0 and together 1; named as `parameter` (the flag or the file the
// values came from), entries counted from 0.
std::vector<double> checked_shares(std::vector<double> s, const std::string& parameter, const std::string& where) {
  if (s.empty()) throw ParameterError(parameter, where + "is empty (expected e.g. 0.5,0.3,0.2)");
  for (size_t i = 0; i < s.size(); ++i)
    if (!std::isfinite(s[i]) || s[i] < 0 || s[i] > 1)
      throw ParameterError(parameter, fmt::format("{}entry {} is {}: a share is a number in 0..1", where, i, s[i]));
  const double sum = std::accumulate(s.begin(), s.end(), 0.0);
  if (std::abs(sum - 1.0) > 1e-3)
    throw ParameterError(parameter, fmt::format("{}must sum to 1 (they sum to {:.6g})", where, sum));
  for (double& v : s) v /= sum;
  return s;
}

}  // namespace

std::vector<double> parse_shares(const std::string& text) {
  std::vector<double> out;
  if (text.empty()) throw ParameterError("shares", "is empty (expected e.g. 0.5,0.3,0.2)");
  // Split by hand: getline drops a trailing empty field, and "0.5,0.5," is a typo, not 2 shares.
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      size_t used = 0;
      if (item.empty()) throw std::invalid_argument("empty");
      out.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw ParameterError("shares", fmt::format("'{}' is not a number (expected e.g. 0.5,0.3,0.2)", item));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return checked_shares(std::move(out), "shares", "");
}

std::vector<double> read_shares_file(const std::string& path) {
  nlohmann::json j;
  try {
    j = read_json_file(path);
  } catch (const InputError& e) {
    throw ParameterError("shares_from", e.what());
  }
  if (!j.is_object() || !j.contains("shares") || !j["shares"].is_array())
    throw ParameterError("shares_from", fmt::format("'{}' has no \"shares\" array", path));
  std::vector<double> s;
  for (const auto& v : j["shares"]) {
    if (!v.is_number()) throw ParameterError("shares_from", fmt::format("'{}': shares must be numbers", path));
    s.push_back(v.get<double>());
  }
  return checked_shares(std::move(s), "shares_from", fmt::format("'{}': shares ", path));
}

}  // namespace airtp
