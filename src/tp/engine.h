// The tensor-parallel forward pass: the devices this process runs, the replicated residual
// stream, and the two all-reduces per layer. It knows the AllReduce only through its interface.
//
// In-process, the local devices compute one after another with the whole thread pool each (on
// a 2-core machine that measures each device's work better than N competing threads), and each
// device's time is recorded separately: a deployment runs them concurrently, so a step costs
// the slowest device's time, which is what `parallel_compute_s` adds up.
//
// Embedding: replicated (a row lookup, no arithmetic). Output head: computed by device 0, the
// device the user talks to, which samples the next token and broadcasts its id (4 bytes).
//
// The engine keeps the run's clock: every all-reduce is told its layer, its sync point, its
// index since the run began and the channel block it falls in (one block per
// `syncs_per_block` sync points; by default a token's 2 x n_layers, since a token's all-reduces
// take far less air time than the coherence time of a slowly moving device).
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "comm/allreduce.h"
#include "model/model.h"
#include "tensor/threadpool.h"
#include "tp/device.h"
#include "tp/plan.h"

namespace airtp {

struct EngineStats {
  std::vector<double> device_compute_s;  // per device (global id): its own layer work
  double parallel_compute_s = 0;         // sum over steps of the slowest local device
  double head_s = 0;                     // output norm + head on device 0
  double wall_s = 0;                     // measured wall time of forward()
  uint64_t tokens = 0;                   // tokens pushed through the layers
  uint64_t forward_calls = 0;
};

// What a device keeps in memory, in bytes. The token embedding is not among them: every device
// looks rows up in place in the mapped file, so only the pages of the tokens seen become resident.
struct DeviceMemory {
  double weights = 0;           // its shard of the layer matrices, with its copies of the norms
  double kv_cache = 0;
  double output_head = 0;       // final norm + classifier: device 0 (on the root process) only
  double process_peak_rss = 0;  // peak resident set of the process running the device
};

class Engine {
 public:
  Engine(const Model& model, const Plan& plan, Transport& transport, AllReduce& allreduce,
         ThreadPool& pool, int max_ctx, int syncs_per_block = 0);

  // Runs tokens at positions pos0.. through all layers. Every process of the job must call it
  // with the same tokens. On the root process returns the logits of the last position (or of
  // every position when all_positions), vocab floats each; elsewhere returns an empty vector.
  std::vector<float> forward(std::span<const int> tokens, int pos0, bool all_positions = false);

  const ModelConfig& config() const { return model_.config; }
  const Plan& plan() const { return plan_; }
  // At most `n` tokens go through the layers at once; forward() runs longer inputs in batches
  // (the results are the same; the activations' memory is bounded by the batch).
  void set_max_batch(int n);
  int max_ctx() const { return max_ctx_; }
  int syncs_per_block() const { return syncs_per_block_; }
  const EngineStats& stats() const { return stats_; }
  void reset_stats();
  // Makes device_compute_s and the all-reduce's byte counts complete on every process (each
  // process knows only its devices).
  void gather_stats();
  // Every device's footprint, complete on every process (collective: all processes call it).
  std::vector<DeviceMemory> memory_footprint();
  size_t weight_bytes(int local_index) const { return devices_[static_cast<size_t>(local_index)]->shard().weight_bytes; }
  const std::vector<std::unique_ptr<Device>>& devices() const { return devices_; }

 private:
  const Model& model_;
  Plan plan_;
  Transport& transport_;
  AllReduce& allreduce_;
  ThreadPool& pool_;
  int max_ctx_;
  int syncs_per_block_;
  int max_batch_ = 1 << 30;
  uint64_t sync_index_ = 0;  // the clock: not reset with the stats, time only moves on
  std::vector<std::unique_ptr<Device>> devices_;  // local devices
  std::vector<std::vector<float>> partial_;        // one buffer per local device
  std::vector<float> x_, xn_;
  EngineStats stats_;
};

}  // namespace airtp
