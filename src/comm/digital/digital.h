// The digital all-reduce: each device's partial really goes through a block quantizer's code
// (comm/codec) before it is summed, so the quantization error reaches the activations. The link
// is a topology: the wireless star of the paper's baseline (OFDMA uplink to the access point,
// which broadcasts the sum in fp16), or a wired collective that moves the codec's bytes as real
// messages (comm/collective: distributed-llama's mesh, TPI-LLM's star through device 0, NCCL's
// ring). On the wired topologies the bytes are counted where they are sent; the wireless star's
// air is simulated, its bytes are its model's.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "comm/codec/block_quantizer.h"
#include "comm/collective.h"
#include "comm/scheme.h"

namespace airtp {

enum class DigitalTopology {
  WirelessStar,  // every device uploads to the access point (OFDMA), which broadcasts the sum
  Mesh,          // distributed-llama: each device sends its vector to every other device
  Star,          // TPI-LLM: devices send to device 0, which sums and sends the result back
  Ring,          // NCCL: reduce-scatter + all-gather around a ring of segments
};
// "wireless" | "mesh" | "star" | "ring"; throws ParameterError naming "topology".
DigitalTopology parse_topology(const std::string& name);
std::string topology_name(DigitalTopology t);
// The wired collective of a topology (none for the wireless star).
std::optional<Collective> digital_collective(DigitalTopology t);

struct DigitalOptions {
  BlockQuantizer quantizer;
  DigitalTopology topology = DigitalTopology::WirelessStar;
};
// From the scheme's resolved options ("bits", "quant_block", "topology").
DigitalOptions digital_options(const nlohmann::json& options);

// The link model: a wireless star uploads the codec's bytes over each device's OFDMA sub-band
// (the slowest device paces the call) and broadcasts the sum; the wired collectives move their
// bytes (comm/collective.h's model) over full-duplex NICs that serialize a device's messages
// (docs/assignment-and-latency.md).
RateNeeds digital_rate_needs(const LinkConfig& link, const DigitalOptions& o);
AllReduceTime digital_link_time(const LinkConfig& link, const DigitalOptions& o, const LinkRates& rates, int n_devices,
                                long long values);

Scheme digital_scheme();
std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, const LinkConfig& link, const DigitalOptions& o);

}  // namespace airtp
