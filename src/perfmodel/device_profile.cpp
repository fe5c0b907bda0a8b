#include "perfmodel/device_profile.h"

#include <fmt/format.h>

#include <cmath>

#include "util/input_error.h"

namespace airtp {

void DeviceProfile::validate(const std::string& where) const {
  auto positive = [&](double v, std::string_view field) {
    if (!(std::isfinite(v) && v > 0))
      throw InputError(fmt::format("{}: device '{}': {} = {} is invalid: must be a finite "
                                      "number > 0",
                                      where, name, field, v));
  };
  positive(flops_per_s, "flops_per_s");
  positive(mem_bandwidth_bytes_per_s, "mem_bandwidth_bytes_per_s");
  positive(memory_bytes, "memory_bytes");
  positive(energy_per_param_j, "energy_per_param_j");
  positive(energy_budget_j, "energy_budget_j");
  positive(distance_m, "distance_m");
  positive(tx_power_w, "tx_power_w");
}

}  // namespace airtp
