// A deployment scenario: which devices, which model, which radio and wired links. Loaded from
// JSON (scenarios/*.json) or built from a named preset; everything the latency model and the
// model-assignment optimizer need. JSON schema and our parameter choices:
// docs/assignment-and-latency.md.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "comm/scheme.h"
#include "perfmodel/device_profile.h"
#include "perfmodel/model_shape.h"

namespace airtp {

struct Scenario {
  std::string name;
  ModelShape model;
  std::vector<DeviceProfile> devices;
  // The links. link.radio's distances_m / tx_power_dbm are ignored: the devices' distance_m and
  // tx_power_w are the truth; link_config() copies them in.
  LinkConfig link;
  int channel_samples = 64;  // realizations averaged for the digital uplink and broadcast rates
  // Options of the all-reduce schemes, by scheme name ({"digital": {"bits": 4}}), laid over
  // each scheme's defaults when it is priced.
  nlohmann::json scheme_options = nlohmann::json::object();
  std::vector<double> shares;  // optional fixed assignment (empty = none)
  // Devices whose energy_budget_j was "auto": P_n^max = e_n s_tot / N + tx_power_w T_tx, i.e.
  // with uniform shares the device can transmit at exactly its tx power. Re-derived by
  // set_model().
  std::vector<bool> auto_energy_budget;

  int n_devices() const { return static_cast<int>(devices.size()); }
  const WirelessConfig& radio() const { return link.radio; }
  // The radio config with one distance / tx power per device (validated).
  WirelessConfig wireless_config() const;
  LinkConfig link_config() const;
  // Seconds the transmitter is on per layer step: the paper's budget covers the compute of the
  // device's share of one layer plus the transmit energy of that layer's 2 all-reduces of d
  // values, each ceil(d / (kappa L)) channel uses at B uses/s.
  double tx_seconds_per_layer() const;
  // Replaces the model and re-derives "auto" energy budgets.
  void set_model(const ModelShape& m);
  // Throws InputError naming `where`, the field and the allowed range.
  void validate(const std::string& where) const;

  // The scheme (a name from the registry, comm/scheme.h) priced on this scenario's links, its
  // options from scheme_options then `options`. Radio rates are the mean over channel_samples
  // realizations (wireless/link_rates.h).
  PricedLink priced_link(std::string_view scheme, const nlohmann::json& options = nlohmann::json::object()) const;
  // The scheme with its options from scheme_options then `options` (no pricing).
  SchemeChoice scheme(std::string_view scheme, const nlohmann::json& options = nlohmann::json::object()) const;
};

// Parses a scenario; `source` (file name) prefixes every error message. Unknown keys are errors
// (they are almost always typos).
Scenario scenario_from_json(const nlohmann::json& j, const std::string& source);
nlohmann::json scenario_to_json(const Scenario& s);
Scenario load_scenario_file(const std::string& path);

// Named presets reproducing the paper's settings with our parameter choices:
//   "paper-homogeneous-N" (N = 1..8): N identical devices, llama3-8b Q4_0;
//   "paper-heterogeneous": 4 devices, compute x1..x4, energy coefficients x4..x1, 12-95 m.
Scenario scenario_preset(std::string_view name);
std::vector<std::string> scenario_preset_names();
// A preset name, or else a path to a JSON file.
Scenario resolve_scenario(const std::string& name_or_path);

}  // namespace airtp
