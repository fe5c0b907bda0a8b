#include <fmt/format.h>

#include <cmath>

#include "comm/aircomp/aircomp.h"

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
  AllReduceTime t;
  const double L0 = static_cast<double>(values);
  // One complex channel use carries `streams` symbols of `reals_per_symbol` values per device,
  // for every device at once.
  t.channel_uses = std::ceil(L0 / (link.air.reals_per_symbol * link.radio.n_streams));
  t.uplink_s = t.channel_uses / link.radio.bandwidth_hz;
  // Symbols counted as complex float32 (8 bytes) per stream and channel use.
  t.bytes_sent_per_device = t.channel_uses * link.radio.n_streams * 8;
  if (link.air.broadcast && rates.downlink_bps > 0)
    t.downlink_s = link.air.downlink_bits_per_value * L0 / rates.downlink_bps;
  t.bytes_recv_per_device = link.air.downlink_bits_per_value * L0 / 8;
  t.overhead_s = link.air.sync_overhead_s;
  return t;
}

Scheme aircomp_scheme() {
  Scheme s;
  s.name = "aircomp";
  s.summary = "over the air: all devices transmit at once, the server receives the sum (MIMO AirComp)";
  s.options = {
      {.name = "design", .help = "transceiver design per channel block: sdr (paper) | mmse | mf | equal_power",
       .kind = OptionSpec::Kind::String, .default_value = "sdr", .choices = {"sdr", "mmse", "mf", "equal_power"}},
      {.name = "randomizations", .help = "SDR Gaussian randomization candidates", .kind = OptionSpec::Kind::Integer,
       .default_value = 100, .lo = 0, .hi = 100000, .choices = {}},
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
