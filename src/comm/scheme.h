// The registry of all-reduce schemes: ONE entry per scheme holds its name, its options, its
// factory, the model of its link time (which the latency model and the run-time accounting both
// use) and its plot label. The session, the latency model, the experiments and the CLI look a
// scheme up here by name; none of them lists the schemes itself.
//
// Adding a scheme: a folder comm/NAME/ with its AllReduce and a function returning its Scheme,
// and one line in comm/scheme_registry.cpp. The contract test (tests/comm/test_scheme_contract)
// then runs it through the battery every scheme must pass.
#pragma once
#include <cmath>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "comm/allreduce.h"
#include "comm/link_config.h"
#include "wireless/link_rates.h"

namespace airtp {

// Modelled cost of one all-reduce of `values` floats per device.
struct AllReduceTime {
  double uplink_s = 0;    // devices -> server (or peers)
  double downlink_s = 0;  // result back to the devices
  double overhead_s = 0;  // fixed per all-reduce (sync, wire latency)
  double channel_uses = 0;           // wireless complex channel uses (time x bandwidth)
  double bytes_sent_per_device = 0;  // payload, busiest device
  double bytes_recv_per_device = 0;
  double total_s() const { return uplink_s + downlink_s + overhead_s; }
};

// One option of a scheme. Values travel as JSON (from flags, experiment parameters or scenario
// files) and are checked against this before the scheme sees them.
struct OptionSpec {
  enum class Kind { Integer, Number, String };
  std::string name;  // the parameter name, e.g. "bits"
  std::string help;
  Kind kind = Kind::Integer;
  nlohmann::json default_value;
  double lo = -HUGE_VAL, hi = HUGE_VAL;  // Integer and Number
  std::vector<std::string> choices;      // String
};

// A named set of option values, so that a variant reads as a scheme of its own
// ("mesh" = digital with topology mesh).
struct SchemePreset {
  std::string name;
  nlohmann::json options;
};

struct Scheme {
  std::string name;
  std::string summary;  // one line, for help texts
  std::vector<OptionSpec> options;
  std::vector<SchemePreset> presets;
  // A label for plots and tables, from resolved options.
  std::function<std::string(const nlohmann::json& options)> label;
  // The error bound the scheme states for the contract test (tests/comm/test_scheme_contract):
  // the NMSE ||estimate - sum||^2 / ||sum||^2 it stays under for i.i.d. Gaussian partials of
  // devices on the paper's radio at 20 dBm (default_wireless_config).
  std::function<double(const nlohmann::json& options)> max_nmse;
  // Which radio rates link_time needs (none for wired schemes).
  std::function<RateNeeds(const LinkConfig&, const nlohmann::json& options)> rate_needs;
  // Link time of one all-reduce of `values` floats per device over `n_devices` >= 2.
  std::function<AllReduceTime(const LinkConfig&, const nlohmann::json& options, const LinkRates&, int n_devices,
                              long long values)>
      link_time;
  // The run-time all-reduce over `t` (the link config has one radio entry per device of t).
  std::function<std::unique_ptr<AllReduce>(Transport& t, const LinkConfig&, const nlohmann::json& options)> make;
};

// Every scheme, in the order help texts list them.
const std::vector<Scheme>& all_schemes();
// Scheme and preset names ("exact", "digital", "mesh", ...).
std::vector<std::string> scheme_names();

// A scheme with its options resolved (defaults filled in, every value checked).
struct SchemeChoice {
  const Scheme* scheme = nullptr;
  std::string name;  // as chosen: a scheme or a preset name
  nlohmann::json options = nlohmann::json::object();
  std::string label() const { return scheme->label(options); }
};

// `name` is a scheme or a preset; `options` are laid over the defaults (and the preset's).
// Throws ParameterError naming "allreduce" for an unknown name, or the option for a bad value.
SchemeChoice choose_scheme(std::string_view name, const nlohmann::json& options = nlohmann::json::object());

// A scheme priced on one deployment's links: what the latency model needs.
struct PricedLink {
  SchemeChoice scheme;
  LinkConfig link;
  LinkRates rates;
  // Zero for one device or an empty vector (nothing to reduce).
  AllReduceTime time(int n_devices, long long values) const;
};
// The rates the scheme needs, as their mean over `channel_samples` realizations of link.radio.
PricedLink price_link(const SchemeChoice& scheme, const LinkConfig& link, int channel_samples);

// The run-time all-reduce of `scheme` over `t`.
std::unique_ptr<AllReduce> make_allreduce(const SchemeChoice& scheme, Transport& t, const LinkConfig& link);

}  // namespace airtp
