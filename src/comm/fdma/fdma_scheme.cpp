#include <fmt/format.h>

#include <cmath>

#include "comm/fdma/fdma.h"

namespace airtp {

namespace {
FdmaCombiner combiner_of(const nlohmann::json& o) {
  return o.at("combiner").get<std::string>() == "zf" ? FdmaCombiner::Zf : FdmaCombiner::Mmse;
}
}  // namespace

AllReduceTime fdma_link_time(const LinkConfig& link, const LinkRates& rates, int n, long long values) {
  AllReduceTime t;
  const double L0 = static_cast<double>(values);
  const double uses_per_device = std::ceil(L0 / (link.air.reals_per_symbol * link.radio.n_streams));
  // Each device needs AirComp's channel uses, in a sub-band 1/N as wide.
  t.channel_uses = uses_per_device * n;
  t.uplink_s = uses_per_device * n / link.radio.bandwidth_hz;
  t.bytes_sent_per_device = uses_per_device * link.radio.n_streams * 8;
  if (link.air.broadcast && rates.downlink_bps > 0)
    t.downlink_s = link.air.downlink_bits_per_value * L0 / rates.downlink_bps;
  t.bytes_recv_per_device = link.air.downlink_bits_per_value * L0 / 8;
  t.overhead_s = link.air.sync_overhead_s;
  return t;
}

Scheme fdma_scheme() {
  Scheme s;
  s.name = "fdma";
  s.summary = "uncoded FDMA: each device sends its analog partial on its own B/N sub-band, the server adds the estimates";
  s.options = {{.name = "combiner", .help = "per-device receive combiner: mmse | zf", .kind = OptionSpec::Kind::String,
                .default_value = "mmse", .choices = {"mmse", "zf"}}};
  s.max_nmse = [](const nlohmann::json&) { return 1e-2; };
  s.label = [](const nlohmann::json& o) {
    return fmt::format("uncoded FDMA, {} combiner", combiner_of(o) == FdmaCombiner::Zf ? "ZF" : "MMSE");
  };
  s.rate_needs = [](const LinkConfig& link, const nlohmann::json&) { return RateNeeds{.downlink = link.air.broadcast}; };
  s.link_time = [](const LinkConfig& link, const nlohmann::json&, const LinkRates& rates, int n, long long values) {
    return fdma_link_time(link, rates, n, values);
  };
  s.make = [](Transport& t, const LinkConfig& link, const nlohmann::json& o) {
    return make_fdma_allreduce(t, link, combiner_of(o));
  };
  return s;
}

}  // namespace airtp
