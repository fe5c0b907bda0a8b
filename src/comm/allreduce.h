// THE seam between the model and the network: the sum of one partial vector per device, with
// the (exact or estimated) result delivered to every device. The tensor-parallel forward pass
// calls only this; which scheme runs is looked up by name in the scheme registry (scheme.h).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "comm/transport.h"

namespace airtp {

// The two sync points of a layer (distributed-llama declares them the same way).
enum class SyncPoint : uint8_t { Attention, Mlp };

// Where in the run an all-reduce happens. The forward pass declares it, so a scheme learns the
// channel block from its caller and never infers time from how often it was called.
struct SyncContext {
  int layer = 0;
  SyncPoint point = SyncPoint::Attention;
  uint64_t index = 0;  // sync points since the run began: the run's clock
  uint64_t block = 0;  // channel realization (coherence block) in force
};

// A counter that only some schemes keep (AirComp's transceiver designs, say), reported by name.
struct SchemeStat {
  std::string name;
  double value = 0;
  std::string meaning;
};
// The value of `name` in `stats`, 0 if the scheme keeps no such counter.
double scheme_stat(const std::vector<SchemeStat>& stats, const std::string& name);

// What the all-reduces of a run cost, accumulated over calls; every scheme keeps these.
struct AllReduceStats {
  uint64_t calls = 0;
  uint64_t values = 0;                  // floats reduced (per device), summed over calls
  std::vector<uint64_t> bytes_sent;     // per device (global id), payload bytes
  std::vector<uint64_t> bytes_recv;     // per device
  double link_time_s = 0;               // modelled time on the link (air time, or wire time)
  double machinery_time_s = 0;          // measured wall time spent inside reduce()
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
  // The scheme with its settings, e.g. "digital-8bit-wireless".
  virtual std::string name() const = 0;

  // partials[i] is the partial vector of device transport().local_devices()[i]; all have the
  // same length. On return each holds the estimate of the sum over ALL devices of the job.
  void reduce(std::span<const std::span<float>> partials, const SyncContext& at);

  const AllReduceStats& stats() const { return stats_; }
  // The scheme's own counters (none for most schemes).
  virtual std::vector<SchemeStat> scheme_stats() const { return {}; }
  void reset_stats();
  Transport& transport() { return transport_; }

 protected:
  virtual void do_reduce(std::span<const std::span<float>> partials, const SyncContext& at) = 0;
  virtual void reset_scheme_stats() {}
  // The float32 sum over every device of the job, to measure the scheme's error against.
  const std::vector<float>& exact_sum(std::span<const std::span<float>> partials);
  // Adds the error of `estimate` against `exact` to err_sq / ref_sq.
  void add_error(std::span<const float> estimate, std::span<const float> exact);
  Transport& transport_;
  AllReduceStats stats_;

 private:
  std::vector<float> exact_;
};

}  // namespace airtp
