// The one list of all-reduce schemes, and what every scheme gets for free from being in it.
#include <fmt/format.h>

#include <algorithm>

#include "comm/aircomp/aircomp.h"
#include "comm/digital/digital.h"
#include "comm/exact/exact.h"
#include "comm/fdma/fdma.h"
#include "comm/scheme.h"
#include "util/parameter_error.h"

namespace airtp {

using nlohmann::json;

const std::vector<Scheme>& all_schemes() {
  static const std::vector<Scheme> schemes = {exact_scheme(), digital_scheme(), aircomp_scheme(), fdma_scheme()};
  return schemes;
}

std::vector<std::string> scheme_names() {
  std::vector<std::string> names;
  for (const auto& s : all_schemes()) {
    names.push_back(s.name);
    for (const auto& p : s.presets) names.push_back(p.name);
  }
  return names;
}

namespace {

std::string rule(const OptionSpec& o) {
  switch (o.kind) {
    case OptionSpec::Kind::Integer: return fmt::format("an integer in {}..{}", o.lo, o.hi);
    case OptionSpec::Kind::Number: return fmt::format("a number in [{}, {}]", o.lo, o.hi);
    case OptionSpec::Kind::String: return fmt::format("one of {}", fmt::join(o.choices, ", "));
  }
  return "?";
}

bool valid(const OptionSpec& o, const json& v) {
  switch (o.kind) {
    case OptionSpec::Kind::Integer:
      return v.is_number_integer() && v.get<double>() >= o.lo && v.get<double>() <= o.hi;
    case OptionSpec::Kind::Number:
      return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= o.lo && v.get<double>() <= o.hi;
    case OptionSpec::Kind::String:
      return v.is_string() &&
             std::find(o.choices.begin(), o.choices.end(), v.get<std::string>()) != o.choices.end();
  }
  return false;
}

void overlay(const Scheme& s, json& resolved, const json& given) {
  if (given.is_null()) return;  // no options given
  if (!given.is_object()) throw ParameterError("allreduce", fmt::format("options of {} must be a JSON object", s.name));
  for (auto it = given.begin(); it != given.end(); ++it) {
    const auto spec = std::find_if(s.options.begin(), s.options.end(), [&](const OptionSpec& o) { return o.name == it.key(); });
    if (spec == s.options.end()) {
      std::vector<std::string> names;
      for (const auto& o : s.options) names.push_back(o.name);
      throw ParameterError(it.key(), fmt::format("is not an option of the {} all-reduce (its options: {})", s.name,
                                                 names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
    const json& v = it.value();
    const std::string shown = v.is_string() ? v.get<std::string>() : v.dump();
    if (!valid(*spec, v)) throw ParameterError(it.key(), fmt::format("{} is invalid: must be {}", shown, rule(*spec)));
    resolved[it.key()] = v;
  }
}

}  // namespace

SchemeChoice choose_scheme(std::string_view name, const json& options) {
  for (const auto& s : all_schemes()) {
    const SchemePreset* preset = nullptr;
    for (const auto& p : s.presets)
      if (p.name == name) preset = &p;
    if (s.name != name && !preset) continue;
    SchemeChoice c{&s, std::string(name), json::object()};
    for (const auto& o : s.options) c.options[o.name] = o.default_value;
    if (preset) overlay(s, c.options, preset->options);
    overlay(s, c.options, options);
    return c;
  }
  throw ParameterError("allreduce",
                       fmt::format("'{}' is not one of {}", name, fmt::join(scheme_names(), ", ")));
}

AllReduceTime PricedLink::time(int n_devices, long long values) const {
  if (n_devices < 1) throw ParameterError("devices", fmt::format("{} must be >= 1", n_devices));
  if (values < 0) throw ParameterError("values", fmt::format("{} must be >= 0", values));
  if (n_devices == 1 || values == 0) return {};
  return scheme.scheme->link_time(link, scheme.options, rates, n_devices, values);
}

PricedLink price_link(const SchemeChoice& scheme, const LinkConfig& link, int channel_samples) {
  link.validate();
  PricedLink p{scheme, link, {}};
  const RateNeeds needs = scheme.scheme->rate_needs(link, scheme.options);
  if ((needs.uplink || needs.downlink) && link.radio.n_devices() >= 2)
    p.rates = mean_link_rates(link.radio, needs, channel_samples);
  return p;
}

std::unique_ptr<AllReduce> make_allreduce(const SchemeChoice& scheme, Transport& t, const LinkConfig& link) {
  link.validate();
  if (link.radio.n_devices() != t.n_devices())
    throw std::invalid_argument(fmt::format("the link config describes {} devices but the run has {}",
                                            link.radio.n_devices(), t.n_devices()));
  return scheme.scheme->make(t, link, scheme.options);
}

}  // namespace airtp
