// A deployment scenario: which devices, which model, which radio and wired links. Loaded from
// JSON (scenarios/*.json) or built from a named preset; everything the latency model and the
// model-assignment optimizer need. JSON schema and our parameter choices:
// docs/assignment-and-latency.md.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "perfmodel/device_profile.h"
#include "perfmodel/latency.h"
#include "perfmodel/model_shape.h"
#include "wireless/wireless_config.h"

namespace airtp {

// Link parameters that are not part of the radio channel itself.
struct LinkSettings {
  int reals_per_symbol = 2;            // kappa (paper.md 8.1)
  double sync_overhead_s = 0;          // per AirComp / wireless all-reduce
  double digital_bits_per_value = 8;   // q of the digital OFDMA baseline
  double downlink_bits_per_value = 16; // q_dl of the broadcast of the reduced vector
  bool broadcast = true;               // count the downlink broadcast time
  double ethernet_link_bps = 1e9;
  double ethernet_latency_s = 0;
  double ethernet_bytes_per_value = 34.0 / 32.0;  // Q80 sync buffers (distributed-llama)
  double exact_latency_s = 0;
  int channel_samples = 64;  // realizations averaged for the digital / broadcast rates
};

struct Scenario {
  std::string name;
  ModelShape model;
  std::vector<DeviceProfile> devices;
  // Radio parameters. Its distances_m / tx_power_dbm are ignored: the devices' distance_m and
  // tx_power_w are the truth; wireless_config() copies them in.
  WirelessConfig wireless;
  LinkSettings link;
  std::vector<double> shares;  // optional fixed assignment (empty = none)
  // Devices whose energy_budget_j was "auto": P_n^max = e_n s_tot / N + tx_power_w T_tx, i.e.
  // with uniform shares the device can transmit at exactly its tx power. Re-derived by
  // set_model().
  std::vector<bool> auto_energy_budget;

  int n_devices() const { return static_cast<int>(devices.size()); }
  // The radio config with one distance / tx power per device (validated).
  WirelessConfig wireless_config() const;
  // Seconds the transmitter is on per layer step: the paper's budget covers the compute of the
  // device's share of one layer plus the transmit energy of that layer's 2 all-reduces of d
  // values, each ceil(d / (kappa L)) channel uses at B uses/s.
  double tx_seconds_per_layer() const;
  // Replaces the model and re-derives "auto" energy budgets.
  void set_model(const ModelShape& m);
  // Throws ScenarioError naming `where`, the field and the allowed range.
  void validate(const std::string& where) const;

  // CommParams of `scheme` for the latency model. Digital uplink and broadcast rates are the
  // harmonic mean over link.channel_samples realizations (so that bits / rate is the mean
  // transfer time), using wireless/rate.h.
  CommParams comm_params(AllReduceScheme scheme) const;
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
