#include <fmt/format.h>

#include <cmath>

#include "comm/analog.h"
#include "comm/fdma/fdma.h"

namespace airtp {

namespace {
FdmaCombiner combiner_of(const nlohmann::json& o) {
  return o.at("combiner").get<std::string>() == "zf" ? FdmaCombiner::Zf : FdmaCombiner::Mmse;
}
}  // namespace

AllReduceTime fdma_link_time(const LinkConfig& link, const LinkRates& rates, int n, long long values) {
  return analog_link_time(link, rates, values, n);
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
