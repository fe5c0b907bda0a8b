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
  // Per device (global id), payload bytes. A process counts the devices it runs; gather_stats()
  // completes the vectors on every process.
  std::vector<uint64_t> bytes_sent;
  std::vector<uint64_t> bytes_recv;
  // What the scheme's link model says the same calls carry (the prediction the counts above are
  // checked against). bytes_measured: the counts above come from the transport (wired
  // collectives); otherwise they are the model's, since air time has no bytes to count.
  std::vector<uint64_t> model_bytes_sent;
  std::vector<uint64_t> model_bytes_recv;
  bool bytes_measured = false;
  double link_time_s = 0;               // modelled time on the link (air time, or wire time)
  double machinery_time_s = 0;          // measured wall time spent inside reduce()
  // Error of the estimate against the exact sum, when known (measured, see set_measure_error, or
  // zero by construction): sums over calls of squared norms, so callers can report normalised MSE.
  bool error_measured = false;
  double err_sq = 0;
  double ref_sq = 0;
  // ||error||^2 / ||exact||^2 over all calls (0 when nothing was measured or the sum is 0).
  double nmse() const { return ref_sq > 0 ? err_sq / ref_sq : 0.0; }

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
  // Measuring the error costs a second, exact all-reduce per call: worth it in experiments,
  // not in a production run over a network (the run decides; on by default).
  void set_measure_error(bool on) { measure_error_ = on; }
  // The scheme's own counters (none for most schemes).
  virtual std::vector<SchemeStat> scheme_stats() const { return {}; }
  void reset_stats();
  // Completes the per-device byte counts on every process (a collective call: every process of
  // the job makes it).
  void gather_stats();
  Transport& transport() { return transport_; }

 protected:
  virtual void do_reduce(std::span<const std::span<float>> partials, const SyncContext& at) = 0;
  virtual void reset_scheme_stats() {}
  // Adds one call's bytes of a device this process runs, as the link model gives them (the
  // model is then both prediction and count).
  void count_bytes(int device, uint64_t sent, uint64_t received);
  // ... of every device this process runs.
  void count_bytes_local(uint64_t sent, uint64_t received);
  // Adds one call's bytes of a device, counted at the transport, beside the model's prediction.
  void count_measured_bytes(int device, uint64_t sent, uint64_t received, uint64_t model_sent, uint64_t model_received);
  // A lossy scheme brackets its work with these: the first keeps the float32 sum over every
  // device of the job (when the error is measured), the second adds the error of the estimate.
  void begin_error(std::span<const std::span<float>> partials);
  void end_error(std::span<const float> estimate);
  Transport& transport_;
  AllReduceStats stats_;

 private:
  bool measure_error_ = true;
  std::vector<float> exact_;
  // Byte counts of this process's devices only: sent, received, model sent, model received.
  std::vector<uint64_t> local_[4];
};

}  // namespace airtp
