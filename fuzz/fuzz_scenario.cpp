// Scenario JSON: arbitrary bytes through load_scenario_file (JSON syntax, schema, ranges, the
// feasibility checks of Scenario::validate). Oracles: only InputError may escape; a scenario
// that loads is valid, what scenario_to_json writes of it loads again to the same numbers, and
// the latency model gives it a finite per-token time over Ethernet and an exact link.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>

#include "fuzz_input.h"
#include "util/input_error.h"
#include "perfmodel/latency.h"
#include "perfmodel/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  fuzz::MemFile file(data, size);
  Scenario s;
  try {
    s = load_scenario_file(file.path());
  } catch (const InputError&) {
    return 0;
  }
  const nlohmann::json j = scenario_to_json(s);
  try {
    const Scenario again = scenario_from_json(j, "round trip");
    if (scenario_to_json(again) != j)
      fuzz::invariant_failed("scenario_to_json differs after a round trip:",
                             j.dump() + "\nvs\n" + scenario_to_json(again).dump());
  } catch (const InputError& e) {
    fuzz::invariant_failed("a loaded scenario does not load again from its own JSON:",
                           std::string(e.what()) + "\n" + j.dump());
  }
  if (!std::isfinite(s.tx_seconds_per_layer()) || s.tx_seconds_per_layer() <= 0)
    fuzz::invariant_failed("tx_seconds_per_layer not finite and positive", j.dump());
  std::vector<double> shares = s.shares;
  if (shares.empty()) shares.assign(static_cast<size_t>(s.n_devices()), 1.0 / s.n_devices());
  // The wired schemes only: pricing a radio scheme averages channel_samples realizations (and
  // AirComp solves a beamforming problem per draw), too slow for a fuzz iteration.
  const std::pair<const char*, nlohmann::json> links[] = {
      {"exact", nlohmann::json::object()},
      {"digital", {{"topology", "mesh"}}},
      {"digital", {{"topology", "star"}}},
      {"digital", {{"topology", "ring"}}},
  };
  for (const auto& [scheme, options] : links) {
    const TokenLatency t = decode_latency(s.model, s.devices, shares, s.priced_link(scheme, options));
    if (!(std::isfinite(t.total_s()) && t.total_s() > 0))
      fuzz::invariant_failed("decode latency not finite and positive:",
                             fmt::format("{} s with {} {}\n{}", t.total_s(), scheme, options.dump(), j.dump()));
  }
  return 0;
}
