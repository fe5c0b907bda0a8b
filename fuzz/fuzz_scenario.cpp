// Scenario JSON: arbitrary bytes through load_scenario_file (JSON syntax, schema, ranges, the
// feasibility checks of Scenario::validate). Oracles: only ScenarioError may escape; a scenario
// that loads is valid, and what scenario_to_json writes of it loads again to the same numbers.
#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_input.h"
#include "sim/error.h"
#include "sim/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  fuzz::MemFile file(data, size);
  Scenario s;
  try {
    s = load_scenario_file(file.path());
  } catch (const ScenarioError&) {
    return 0;
  }
  const nlohmann::json j = scenario_to_json(s);
  try {
    const Scenario again = scenario_from_json(j, "round trip");
    if (scenario_to_json(again) != j)
      fuzz::invariant_failed("scenario_to_json differs after a round trip:",
                             j.dump() + "\nvs\n" + scenario_to_json(again).dump());
  } catch (const ScenarioError& e) {
    fuzz::invariant_failed("a loaded scenario does not load again from its own JSON:",
                           std::string(e.what()) + "\n" + j.dump());
  }
  (void)s.tx_seconds_per_layer();
  return 0;
}
