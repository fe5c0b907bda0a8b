// Scenario loading, presets and validation messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "util/input_error.h"
#include "perfmodel/latency.h"
#include "perfmodel/scenario.h"

using namespace airtp;
using nlohmann::json;

namespace {
json minimal() {
  return json::parse(R"({
    "name": "t",
    "model": "llama3-8b",
    "devices": [
      {"flops_per_s": 1e11, "mem_bandwidth_bytes_per_s": 1e10, "memory_bytes": 2e10,
       "energy_per_param_j": 1e-13, "energy_budget_j": "auto", "distance_m": 20},
      {"flops_per_s": 1e11, "mem_bandwidth_bytes_per_s": 1e10, "memory_bytes": 2e10,
       "energy_per_param_j": 1e-13, "energy_budget_j": 1e-4, "distance_m": 50}
    ]})");
}

// Expects scenario_from_json to throw a InputError whose message contains every fragment.
void expect_error(const json& j, std::initializer_list<std::string> fragments) {
  try {
    scenario_from_json(j, "case.json");
    ADD_FAILURE() << "no error for " << j.dump();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
  }
}
}  // namespace

TEST(Scenario, MinimalFileAndAutoBudget) {
  Scenario s = scenario_from_json(minimal(), "case.json");
  ASSERT_EQ(s.n_devices(), 2);
  EXPECT_EQ(s.devices[0].name, "device0");
  // llama3-8b: s_tot = 4096 (2 4096 + 2 1024) + 3 4096 14336 = 218,103,808 parameters.
  EXPECT_EQ(s.model.layer_params(), 218103808);
  // 2 all-reduces x ceil(4096 / (2 x 4)) = 1024 channel uses at 10 MHz = 102.4 us.
  EXPECT_NEAR(s.tx_seconds_per_layer(), 102.4e-6, 1e-15);
  // auto: e s / N + 20 dBm x 102.4 us.
  EXPECT_NEAR(s.devices[0].energy_budget_j, 1e-13 * 218103808 / 2 + 0.1 * 102.4e-6, 1e-18);
  EXPECT_DOUBLE_EQ(s.devices[1].energy_budget_j, 1e-4);
  const WirelessConfig w = s.wireless_config();
  EXPECT_EQ(w.distances_m, (std::vector<double>{20, 50}));
  EXPECT_NEAR(w.tx_power_dbm[0], 20, 1e-12);
}

TEST(Scenario, JsonRoundTrip) {
  Scenario a = scenario_preset("paper-heterogeneous");
  Scenario b = scenario_from_json(scenario_to_json(a), "roundtrip");
  ASSERT_EQ(a.n_devices(), b.n_devices());
  for (int i = 0; i < a.n_devices(); ++i) {
    EXPECT_EQ(a.devices[i].name, b.devices[i].name);
    EXPECT_DOUBLE_EQ(a.devices[i].energy_budget_j, b.devices[i].energy_budget_j);
    EXPECT_NEAR(a.devices[i].tx_power_w, b.devices[i].tx_power_w, 1e-15);
    EXPECT_DOUBLE_EQ(a.devices[i].distance_m, b.devices[i].distance_m);
  }
  EXPECT_EQ(a.model.layer_params(), b.model.layer_params());
  EXPECT_EQ(a.radio().n_rx_antennas, b.radio().n_rx_antennas);
}

TEST(Scenario, PresetsMatchShippedFiles) {
  for (std::string name : {"paper-heterogeneous", "paper-homogeneous-4"}) {
    Scenario p = scenario_preset(name);
    Scenario f = load_scenario_file(std::string(AIRTP_SOURCE_DIR) + "/scenarios/" + name + ".json");
    ASSERT_EQ(p.n_devices(), f.n_devices()) << name;
    for (int i = 0; i < p.n_devices(); ++i) {
      EXPECT_DOUBLE_EQ(p.devices[i].mem_bandwidth_bytes_per_s, f.devices[i].mem_bandwidth_bytes_per_s);
      EXPECT_DOUBLE_EQ(p.devices[i].energy_per_param_j, f.devices[i].energy_per_param_j);
      EXPECT_NEAR(p.devices[i].energy_budget_j, f.devices[i].energy_budget_j, 1e-18);
      EXPECT_DOUBLE_EQ(p.devices[i].distance_m, f.devices[i].distance_m);
    }
  }
  Scenario h = load_scenario_file(std::string(AIRTP_SOURCE_DIR) + "/scenarios/home-cluster-llama2-7b.json");
  EXPECT_EQ(h.shares.size(), 3u);
  EXPECT_EQ(h.model.name, "llama2-7b");
}

TEST(Scenario, HomogeneousPresets) {
  for (int n = 1; n <= 8; ++n) {
    Scenario s = resolve_scenario("paper-homogeneous-" + std::to_string(n));
    ASSERT_EQ(s.n_devices(), n);
    EXPECT_DOUBLE_EQ(s.devices.front().distance_m, 10 + 90 * 0.5 / n);
  }
  EXPECT_THROW(scenario_preset("paper-homogeneous-9"), InputError);
  EXPECT_THROW(scenario_preset("paper-homogeneous-"), InputError);
  EXPECT_THROW(resolve_scenario("paper-hetero"), InputError);
  EXPECT_THROW(resolve_scenario("/nonexistent/file.json"), InputError);
}

TEST(Scenario, PricedLinksFromChannel) {
  Scenario s = scenario_preset("paper-heterogeneous");
  s.channel_samples = 8;
  const PricedLink dig = s.priced_link("digital");
  ASSERT_EQ(dig.rates.uplink_bps.size(), 4u);
  // The nearest device (12 m) has a far better channel than the farthest (95 m).
  EXPECT_GT(dig.rates.uplink_bps[0], dig.rates.uplink_bps[3]);
  EXPECT_GT(dig.rates.downlink_bps, 0);
  const PricedLink air = s.priced_link("aircomp");
  EXPECT_TRUE(air.rates.uplink_bps.empty());
  EXPECT_DOUBLE_EQ(air.rates.downlink_bps, dig.rates.downlink_bps);
  EXPECT_EQ(air.link.radio.n_streams, 4);
  // Wired schemes need no radio rates; a scenario's scheme options reach the link model.
  EXPECT_EQ(s.priced_link("mesh").rates.downlink_bps, 0);
  s.scheme_options["digital"] = {{"bits", 4}};
  // 4096 values: 2048 + 256 bytes at 4 bits, 4096 + 256 at 8 (fp16 scale per block of 32).
  EXPECT_NEAR(s.priced_link("digital").time(4, 4096).uplink_s, dig.time(4, 4096).uplink_s * 2304 / 4352, 1e-15);
  // The latency model accepts what the scenario produces.
  const std::vector<double> even(4, 0.25);
  EXPECT_GT(decode_latency(s.model, s.devices, even, dig).comm_s,
            decode_latency(s.model, s.devices, even, air).comm_s);
}

TEST(ScenarioValidation, NamesFieldAndRange) {
  json j = minimal();
  j["devices"][1]["energy_budget_j"] = -1;
  expect_error(j, {"case.json", "devices[1].energy_budget_j", "-1", "> 0"});

  j = minimal();
  j["devices"][0]["energy_budget_j"] = "lots";
  expect_error(j, {"devices[0].energy_budget_j", "\"auto\""});

  j = minimal();
  j["devices"][0]["mem_bandwidth_bytes_per_s"] = 0;
  expect_error(j, {"devices[0].mem_bandwidth_bytes_per_s", "> 0"});

  j = minimal();
  j["wireless"] = {{"n_rx_antennas", 0}};
  expect_error(j, {"wireless.n_rx_antennas", "[1, 64]"});

  // The same bound as --rx-antennas: a scenario file cannot ask for a run that looks hung.
  j = minimal();
  j["wireless"] = {{"n_rx_antennas", 65}};
  expect_error(j, {"wireless.n_rx_antennas", "65", "[1, 64]"});

  j = minimal();
  j["wireless"] = {{"n_tx_antennas", 17}};
  expect_error(j, {"wireless.n_tx_antennas", "[1, 16]"});

  j = minimal();
  j["wireless"] = {{"n_streams", 5}};  // > 4 transmit antennas
  expect_error(j, {"wireless.n_streams", "[1, 4]"});

  j = minimal();
  j["wireless"] = {{"fading", "nakagami"}};
  expect_error(j, {"wireless.fading", "rician"});

  j = minimal();
  j["link"] = {{"reals_per_symbol", 3}};
  expect_error(j, {"link.reals_per_symbol", "[1, 2]"});

  j = minimal();
  j["schemes"] = {{"digital", {{"bits", 1}}}};
  expect_error(j, {"schemes.digital", "bits 1", "2..16"});

  j = minimal();
  j["schemes"] = {{"aircomp", {{"bits", 8}}}};
  expect_error(j, {"schemes.aircomp", "bits is not an option of the aircomp all-reduce"});

  j = minimal();
  j["devices"][0]["speed"] = 2;  // typo / unsupported key
  expect_error(j, {"unknown key devices[0].speed", "flops_per_s"});

  j = minimal();
  j["shares"] = {0.7, 0.7};
  expect_error(j, {"shares sum to 1.4"});
  j["shares"] = {0.5};
  expect_error(j, {"shares has 1 entries for 2 devices"});
  j["shares"] = {-0.5, 1.5};
  expect_error(j, {"shares[0] = -0.5", "[0, 1]"});

  j = minimal();
  j["devices"] = json::array();
  for (int i = 0; i < 9; ++i) j["devices"].push_back(minimal()["devices"][0]);
  expect_error(j, {"9 devices", "8 KV heads"});

  j = minimal();
  j["devices"][0]["memory_bytes"] = 1e8;
  j["devices"][1]["memory_bytes"] = 1e8;
  expect_error(j, {"cannot run model", "memory"});

  j = minimal();
  j["model"] = {{"name", "odd"}, {"n_layers", 2}, {"dim", 64}, {"hidden_dim", 128},
                {"n_heads", 6}, {"n_kv_heads", 2}, {"vocab", 10}};
  expect_error(j, {"model.dim", "multiple of n_heads"});

  j = minimal();
  j["model"] = "llama5";
  expect_error(j, {"case.json", "unknown model preset 'llama5'", "llama3-8b"});

  j = minimal();
  j.erase("devices");
  expect_error(j, {"devices must be a non-empty array"});
}

TEST(Scenario, PaperLatencyShapeOnHomogeneousPresets) {
  // paper.md T6: with the presets' radio, AirComp uplink time per all-reduce does not depend on
  // N, the digital OFDMA uplink grows with N, and AirComp's per-token time falls with N.
  double prev_total = 1e9, prev_dig = 0, air_uplink = -1;
  for (int n : {2, 4, 8}) {
    Scenario s = scenario_preset("paper-homogeneous-" + std::to_string(n));
    s.channel_samples = 8;
    s.set_model(model_shape_preset("llama2-7b", 18.0 / 32));
    const std::vector<double> even(n, 1.0 / n);
    const auto air = decode_latency(s.model, s.devices, even, s.priced_link("aircomp"));
    const auto dig = decode_latency(s.model, s.devices, even, s.priced_link("digital"));
    if (air_uplink < 0) air_uplink = air.per_allreduce.uplink_s;
    EXPECT_DOUBLE_EQ(air.per_allreduce.uplink_s, air_uplink);
    EXPECT_GT(dig.per_allreduce.uplink_s, prev_dig);
    EXPECT_LT(air.total_s(), prev_total);
    EXPECT_LT(air.total_s(), dig.total_s());
    prev_dig = dig.per_allreduce.uplink_s;
    prev_total = air.total_s();
  }
}
