#include <fmt/format.h>

#include <algorithm>

#include "comm/collective.h"
#include "comm/digital/digital.h"

namespace airtp {

DigitalOptions digital_options(const nlohmann::json& o) {
  DigitalOptions d;
  d.quantizer.bits = o.at("bits").get<int>();
  d.quantizer.block = o.at("quant_block").get<int>();
  d.topology = parse_topology(o.at("topology").get<std::string>());
  return d;
}

RateNeeds digital_rate_needs(const LinkConfig& link, const DigitalOptions& o) {
  if (o.topology != DigitalTopology::WirelessStar) return {};
  return {.uplink = true, .downlink = link.air.broadcast};
}

AllReduceTime digital_link_time(const LinkConfig& link, const DigitalOptions& o, const LinkRates& rates, int n,
                                long long values) {
  AllReduceTime t;
  const double L0 = static_cast<double>(values);
  switch (o.topology) {
    case DigitalTopology::WirelessStar: {
      if (static_cast<int>(rates.uplink_bps.size()) != n)
        throw std::invalid_argument(
            fmt::format("digital link time: {} uplink rates for {} devices", rates.uplink_bps.size(), n));
      // The codec's payload: packed integers and one fp16 scale per block.
      const double bytes = static_cast<double>(make_block_codec(o.quantizer)->bytes(static_cast<size_t>(values)));
      for (double r : rates.uplink_bps) {
        if (!(r > 0)) throw std::invalid_argument(fmt::format("digital link time: uplink rate {} must be > 0", r));
        t.uplink_s = std::max(t.uplink_s, 8 * bytes / r);
      }
      t.bytes_sent_per_device = bytes;
      if (link.air.broadcast && rates.downlink_bps > 0)
        t.downlink_s = link.air.downlink_bits_per_value * L0 / rates.downlink_bps;
      t.bytes_recv_per_device = link.air.downlink_bits_per_value * L0 / 8;
      t.overhead_s = link.air.sync_overhead_s;
      break;
    }
    default: {
      // A wired collective: its bytes from its own model; the NIC serializes a device's
      // messages, each paying the wire latency.
      const auto codec = make_block_codec(o.quantizer);
      const CollectiveBytes b = collective_bytes(*digital_collective(o.topology), n, static_cast<size_t>(values), *codec, *codec);
      t.bytes_sent_per_device = static_cast<double>(b.max_sent());
      t.bytes_recv_per_device = static_cast<double>(b.max_received());
      if (o.topology == DigitalTopology::Star) {
        t.uplink_s = static_cast<double>(b.received[0]) * 8 / link.wire.bps;  // into the root
        t.downlink_s = static_cast<double>(b.sent[0]) * 8 / link.wire.bps;   // out of the root
        t.overhead_s = 2 * link.wire.latency_s;
      } else if (o.topology == DigitalTopology::Mesh) {
        // Full duplex: sending and receiving overlap; the N-1 copies go one after another.
        t.uplink_s = static_cast<double>(b.max_sent()) * 8 / link.wire.bps;
        t.overhead_s = link.wire.latency_s;
      } else {
        // Ring: 2(N-1) steps, each a segment's worth of bytes and one message latency.
        t.uplink_s = static_cast<double>(b.max_sent()) * 8 / link.wire.bps;
        t.overhead_s = b.sequential_steps * link.wire.latency_s;
      }
      break;
    }
  }
  return t;
}

Scheme digital_scheme() {
  Scheme s;
  s.name = "digital";
  s.summary = "each partial block-quantized, sent over a wireless star (OFDMA), an Ethernet mesh or star";
  s.options = {
      {.name = "bits", .help = "bits per value of the block quantizer", .kind = OptionSpec::Kind::Integer,
       .default_value = 8, .lo = 2, .hi = 16, .choices = {}},
      {.name = "quant_block", .help = "values per fp16 scale", .kind = OptionSpec::Kind::Integer,
       .default_value = 32, .lo = 1, .hi = 4096, .choices = {}},
      {.name = "topology",
       .help = "wireless (OFDMA to an access point) | mesh (distributed-llama) | star (TPI-LLM) | ring (NCCL)",
       .kind = OptionSpec::Kind::String, .default_value = "wireless", .choices = {"wireless", "mesh", "star", "ring"}},
  };
  s.presets = {{"mesh", {{"topology", "mesh"}}}, {"star", {{"topology", "star"}}}, {"ring", {{"topology", "ring"}}}};
  s.label = [](const nlohmann::json& o) {
    const DigitalOptions d = digital_options(o);
    switch (d.topology) {
      case DigitalTopology::WirelessStar: return fmt::format("digital {}-bit OFDMA", d.quantizer.bits);
      case DigitalTopology::Mesh: return fmt::format("Ethernet mesh, {}-bit (distributed-llama)", d.quantizer.bits);
      case DigitalTopology::Star: return fmt::format("Ethernet star, {}-bit (TPI-LLM)", d.quantizer.bits);
      case DigitalTopology::Ring: return fmt::format("Ethernet ring, {}-bit (NCCL)", d.quantizer.bits);
    }
    return std::string("?");
  };
  // Each device rounds each value by at most half a step d = max|x| / qmax of its block; the
  // errors of N devices add like their signals. A Gaussian block of 32 has max|x| < 4 sigma, so
  // NMSE < (4 / qmax)^2 / 12, and twice that for blocks with an outlier.
  s.max_nmse = [](const nlohmann::json& o) {
    const double qmax = (1 << (digital_options(o).quantizer.bits - 1)) - 1;
    return 2 * (4 / qmax) * (4 / qmax) / 12;
  };
  s.rate_needs = [](const LinkConfig& link, const nlohmann::json& o) { return digital_rate_needs(link, digital_options(o)); };
  s.link_time = [](const LinkConfig& link, const nlohmann::json& o, const LinkRates& rates, int n, long long values) {
    return digital_link_time(link, digital_options(o), rates, n, values);
  };
  s.make = [](Transport& t, const LinkConfig& link, const nlohmann::json& o) {
    return make_digital_allreduce(t, link, digital_options(o));
  };
  return s;
}

}  // namespace airtp
