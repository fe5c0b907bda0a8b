// The digital all-reduce: each device's partial really goes through a block quantizer before it
// is summed, so the quantization error reaches the activations. The link is a topology: the
// wireless star of the paper's baseline (OFDMA uplink to the access point, which broadcasts the
// sum), distributed-llama's Ethernet mesh, or TPI-LLM's Ethernet star through device 0.
#pragma once
#include <memory>
#include <string>

#include "comm/digital/quantizer.h"
#include "comm/scheme.h"

namespace airtp {

enum class DigitalTopology {
  WirelessStar,  // every device uploads to the access point (OFDMA), which broadcasts the sum
  Mesh,          // distributed-llama: each device sends its vector to every other device
  Star,          // TPI-LLM: devices send to device 0, which sums and sends the result back
};
// "wireless" | "mesh" | "star"; throws ParameterError naming "topology".
DigitalTopology parse_topology(const std::string& name);
std::string topology_name(DigitalTopology t);

struct DigitalOptions {
  BlockQuantizer quantizer;
  DigitalTopology topology = DigitalTopology::WirelessStar;
};
// From the scheme's resolved options ("bits", "quant_block", "topology").
DigitalOptions digital_options(const nlohmann::json& options);

// The link model: a wireless star uploads `bits` per value over each device's OFDMA sub-band
// (the slowest device paces the call) and broadcasts the sum; the Ethernet mesh and star move
// the quantizer's wire bytes over full-duplex NICs (docs/assignment-and-latency.md).
RateNeeds digital_rate_needs(const LinkConfig& link, const DigitalOptions& o);
AllReduceTime digital_link_time(const LinkConfig& link, const DigitalOptions& o, const LinkRates& rates, int n_devices,
                                long long values);

Scheme digital_scheme();
std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, const LinkConfig& link, const DigitalOptions& o);

}  // namespace airtp
