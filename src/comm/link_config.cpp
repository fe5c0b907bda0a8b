#include "comm/link_config.h"

#include <fmt/format.h>

#include <cmath>

#include "util/parameter_error.h"

namespace airtp {

void LinkConfig::validate() const {
  radio.validate();
  auto check = [](bool ok, const char* name, double v, const char* rule) {
    if (!ok) throw ParameterError(name, fmt::format("{} is invalid: must be {}", v, rule));
  };
  check(air.reals_per_symbol == 1 || air.reals_per_symbol == 2, "air.reals_per_symbol", air.reals_per_symbol,
        "1 or 2");
  check(std::isfinite(air.sync_overhead_s) && air.sync_overhead_s >= 0, "air.sync_overhead_s", air.sync_overhead_s,
        ">= 0");
  check(air.downlink_bits_per_value > 0 && air.downlink_bits_per_value <= 64, "air.downlink_bits_per_value",
        air.downlink_bits_per_value, "in (0, 64]");
  check(std::isfinite(wire.bps) && wire.bps > 0, "wire.bps", wire.bps, "> 0");
  check(std::isfinite(wire.latency_s) && wire.latency_s >= 0, "wire.latency_s", wire.latency_s, ">= 0");
  check(std::isfinite(ideal_latency_s) && ideal_latency_s >= 0, "ideal_latency_s", ideal_latency_s, ">= 0");
}

}  // namespace airtp
