// Over-the-air all-reduce (the paper's AirComp): every device maps its partial vector to
// complex symbols with a common scale, precodes them with B_n and transmits at the same time;
// the server receives the superposition through the channel plus noise, applies A^H and
// de-normalises; the estimate of the sum is broadcast back (the downlink is taken as
// error-free: an assumption of the paper we keep, see docs/wireless-model.md).
//
// The signal chain is wireless/aircomp_signal.h's, split at the air: each process adds its
// devices' received contributions H_n B_n s_n, a Transport::sum superposes them (an MPI reduce
// under mpirun), and the server's side adds the noise and applies A^H. The channel of a block
// is regenerated from its seed by every process; the design is solved once, by the root (the
// server), and broadcast.
#pragma once
#include <memory>

#include "comm/scheme.h"
#include "opt/transceiver.h"

namespace airtp {

struct AirCompOptions {
  TransceiverMethod method = TransceiverMethod::Sdr;
  TransceiverOptions design;  // design.seed + block seeds each block's randomization
  uint64_t noise_seed = 7;
};
// From the scheme's resolved options ("design", "randomizations") and the radio's seed.
AirCompOptions aircomp_options(const nlohmann::json& options, const LinkConfig& link);

// The link model: ceil(values / (kappa L)) channel uses of the whole band, whatever the number of
// devices, then the broadcast of the result.
AllReduceTime aircomp_link_time(const LinkConfig& link, const LinkRates& rates, long long values);

Scheme aircomp_scheme();
std::unique_ptr<AllReduce> make_aircomp_allreduce(Transport& t, const LinkConfig& link, const AirCompOptions& o);

}  // namespace airtp
