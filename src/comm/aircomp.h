// Over-the-air all-reduce (the paper's AirComp): every device maps its partial vector to
// complex symbols with a common scale, precodes them with B_n and transmits at the same time;
// the server receives the superposition through the channel plus noise, applies A^H and
// de-normalises; the estimate of the sum is broadcast back (the downlink is taken as
// error-free: an assumption of the paper we keep, see docs/wireless-model.md).
//
// The superposition is a Transport::sum of the devices' received-signal contributions
// H_n B_n S_n, so the same code runs in-process and with one MPI rank per device. The channel
// of a block is regenerated from its seed by every process; the design is solved once, by the
// root (the server), and broadcast.
#pragma once
#include <memory>

#include "comm/schemes.h"
#include "opt/transceiver.h"
#include "wireless/wireless_config.h"

namespace airtp {

struct AirCompOptions {
  WirelessConfig wireless;        // one entry per device in distances_m / tx_power_dbm
  TransceiverMethod method = TransceiverMethod::Sdr;
  TransceiverOptions design;
  int reals_per_symbol = 2;       // kappa: 2 packs two reals into one complex symbol
  int coherence_calls = 1;        // all-reduces per channel realization (block fading)
  uint64_t noise_seed = 7;
};

std::unique_ptr<AllReduce> make_aircomp_allreduce(Transport& t, AirCompOptions opt, LinkModel link = {});

}  // namespace airtp
