// THE seam between the model and the network: the sum of one partial vector per device, with
// the (exact or estimated) result delivered to every device. The tensor-parallel forward pass
// calls only this; which scheme runs (exact, digital, aircomp) is chosen at run time.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "comm/transport.h"

namespace airtp {

// What the all-reduces of a run cost, accumulated over calls.
struct AllReduceStats {
  uint64_t calls = 0;
  uint64_t values = 0;                  // floats reduced (per device), summed over calls
  std::vector<uint64_t> bytes_sent;     // per device (global id), payload bytes
  std::vector<uint64_t> bytes_recv;     // per device
  double link_time_s = 0;               // modelled time on the link (air time, or wire time)
  double machinery_time_s = 0;          // measured wall time spent inside reduce()
  uint64_t channel_uses = 0;            // AirComp: complex channel uses
  uint64_t designs = 0;                 // AirComp: transceiver designs solved (one per block)
  double design_seconds = 0;            // AirComp: time spent solving them
  double design_mse_sum = 0;            // AirComp: sum of the designs' per-channel-use MSE
  uint64_t dropped_devices = 0;         // AirComp: device-blocks excluded by deep fades
  // Error of the estimate against the exact sum, where the scheme can compute it
  // (sum over calls of squared norms), so callers can report normalised MSE.
  double err_sq = 0;
  double ref_sq = 0;

  void reset(int n_devices);
};

class AllReduce {
 public:
  explicit AllReduce(Transport& transport) : transport_(transport) {
    stats_.reset(transport.n_devices());
  }
  virtual ~AllReduce() = default;
  virtual std::string name() const = 0;

  // partials[i] is the partial vector of device transport().local_devices()[i]; all have the
  // same length. On return each holds the estimate of the sum over ALL devices of the job.
  void reduce(std::span<const std::span<float>> partials);

  const AllReduceStats& stats() const { return stats_; }
  void reset_stats() { stats_.reset(transport_.n_devices()); }
  Transport& transport() { return transport_; }

 protected:
  virtual void do_reduce(std::span<const std::span<float>> partials) = 0;
  Transport& transport_;
  AllReduceStats stats_;
};

}  // namespace airtp
