#include <fmt/format.h>

#include <cmath>

#include "comm/aircomp/aircomp.h"
#include "comm/analog.h"

namespace airtp {

AirCompOptions aircomp_options(const nlohmann::json& o, const LinkConfig& link) {
  AirCompOptions a;
  a.method = parse_transceiver_method(o.at("design").get<std::string>());
  a.design.n_randomizations = o.at("randomizations").get<int>();
  // Randomization and receiver noise derive from the radio's seed, like its channels.
  a.design.seed = link.radio.seed;
  a.noise_seed = link.radio.seed * 7919 + 7;
  return a;
}

AllReduceTime aircomp_link_time(const LinkConfig& link, const LinkRates& rates, long long values) {
  return analog_link_time(link, rates, values, 1);
}

Scheme aircomp_scheme() {
  Scheme s;
  s.name = "aircomp";
  s.summary = "over the air: all devices transmit at once, the server receives the sum (MIMO AirComp)";
  s.options = {
      {.name = "design",
       .help = "transceiver design per channel block: sdr (SDR + randomization + refinement, never worse than a "
               "baseline) | sdr_paper (the paper's method alone) | mmse | mf | equal_power",
       .kind = OptionSpec::Kind::String, .default_value = "sdr",
       .choices = {"sdr", "sdr_paper", "mmse", "mf", "equal_power"}},
      {.name = "randomizations", .help = "SDR Gaussian randomization candidates", .kind = OptionSpec::Kind::Integer,
       .default_value = 100, .lo = 0, .hi = SdrLimits::max_randomizations, .choices = {}},
  };
  s.label = [](const nlohmann::json& o) {
    return fmt::format("AirComp, {}", transceiver_label(parse_transceiver_method(o.at("design").get<std::string>())));
  };
  // -36 dB at 20 dBm with the SDR design (docs/results/mse-power); the baselines stay within 10 dB.
  s.max_nmse = [](const nlohmann::json&) { return 1e-2; };
  s.rate_needs = [](const LinkConfig& link, const nlohmann::json&) { return RateNeeds{.downlink = link.air.broadcast}; };
  s.link_time = [](const LinkConfig& link, const nlohmann::json&, const LinkRates& rates, int, long long values) {
    return aircomp_link_time(link, rates, values);
  };
  s.make = [](Transport& t, const LinkConfig& link, const nlohmann::json& o) {
    return make_aircomp_allreduce(t, link, aircomp_options(o, link));
  };
  return s;
}

}  // namespace airtp
