// The links an all-reduce may use, described once for the run-time schemes and the latency model
// alike: the radio between the devices and the edge server (wireless schemes) and the wire
// between hosts (Ethernet topologies of the digital scheme). Physics and parameter choices:
// docs/wireless-model.md, docs/assignment-and-latency.md.
#pragma once
#include "wireless/wireless_config.h"

namespace airtp {

// How the wireless schemes use the radio beyond the channel itself.
struct RadioLink {
  int reals_per_symbol = 2;             // kappa: 2 packs two reals into one complex symbol
  double sync_overhead_s = 0;           // per wireless all-reduce (timing advance etc.)
  double downlink_bits_per_value = 16;  // the server broadcasts the reduced vector in fp16
  bool broadcast = true;                // count the broadcast's time
};

struct WireLink {
  double bps = 1e9;      // per-node full-duplex NIC rate
  double latency_s = 0;  // per message hop
};

struct LinkConfig {
  WirelessConfig radio;  // one distance / tx power per device
  RadioLink air;
  WireLink wire;
  double ideal_latency_s = 0;  // the exact scheme's fixed time per all-reduce ("ideal link")

  // Throws ParameterError naming the field ("air.reals_per_symbol", "wire.bps", ...) or the
  // radio's std::invalid_argument.
  void validate() const;
};

}  // namespace airtp
