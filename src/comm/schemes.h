// The all-reduce implementations. Each is built on the Transport collectives, so it runs the
// same in-process and under MPI. The modelled link time of a call comes from a LinkModel the
// caller supplies (sim/ builds it from the wireless or wired latency model), so comm/ holds the
// numerics of each scheme and none of the physics of the link.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "comm/allreduce.h"
#include "comm/quantizer.h"

namespace airtp {

// What one all-reduce call put on the links, for the link model to turn into seconds.
struct LinkEvent {
  uint64_t values = 0;           // floats per device
  uint64_t payload_bytes = 0;    // one device's upload
  uint64_t channel_uses = 0;     // AirComp only
  uint64_t block_index = 0;      // channel block the call used (AirComp, wireless digital)
};
using LinkModel = std::function<double(const LinkEvent&)>;

enum class DigitalTopology {
  WirelessStar,  // every device uploads to the access point (OFDMA), which broadcasts the sum
  Mesh,          // distributed-llama: each device sends its vector to every other device
  Star,          // TPI-LLM: devices send to device 0, which sums and sends the result back
};
DigitalTopology parse_topology(const std::string& name);
std::string topology_name(DigitalTopology t);

// Float32 sum, no error: the "ideal link" reference. Bytes counted as float32 to a hub and back.
std::unique_ptr<AllReduce> make_exact_allreduce(Transport& t, LinkModel link = {});

// Each device's partial really goes through the quantizer before it is summed; the error
// reaches the activations. Bytes per device per call follow the topology exactly.
std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, BlockQuantizer q,
                                                  DigitalTopology topo, LinkModel link = {});

}  // namespace airtp
