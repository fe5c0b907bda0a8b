// Everything one inference run needs, built from user options: the model, the transport
// (in-process devices, or one MPI rank per device), the all-reduce scheme, the plan and the
// engine. The CLI and the experiments both build runs through this, so a scheme added here is
// available everywhere.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "comm/allreduce.h"
#include "comm/quantizer.h"
#include "comm/transport.h"
#include "model/model.h"
#include "tensor/threadpool.h"
#include "tp/engine.h"
#include "tp/plan.h"
#include "wireless/wireless_config.h"

namespace airtp {

struct RunOptions {
  std::string model_path;
  std::string tokenizer_path;        // llama2.c only
  int threads = 0;                   // 0 = hardware concurrency
  int ctx = 0;                       // 0 = the model's context length
  int devices = 1;                   // in-process devices (ignored under mpirun: one per rank)
  std::string shares;                // "0.5,0.3,0.2"; empty = even
  std::string shares_from;           // assignment JSON from `airtp assign`
  std::string allreduce = "exact";   // exact | digital | aircomp
  BlockQuantizer quantizer;          // digital
  std::string topology = "wireless"; // digital: wireless | mesh | star
  double mpi_timeout_s = 60;
  // Wireless link of the digital and AirComp schemes (see wireless/ and docs/wireless-model.md).
  double tx_power_dbm = 20;          // per-device transmit power budget
  std::optional<double> snr_db;      // if set: power control to this mean receive SNR per antenna
  std::string design = "sdr";        // AirComp transceiver: sdr | mmse | mf | equal_power
  uint64_t channel_seed = 1;
  int rx_antennas = 20, tx_antennas = 4, streams = 4;
  double bandwidth_mhz = 10;
  int coherence = 0;                 // all-reduces per channel realization (0 = one token's)
  int randomizations = 100;          // SDR Gaussian randomization candidates
  double link_gbps = 1.0;            // mesh/star wire rate
  double link_latency_us = 0;        // mesh/star per-message latency
};

// The radio scenario for n devices from the options (paper defaults, see docs/wireless-model.md).
WirelessConfig make_wireless(const RunOptions& opt, int n_devices);
// The all-reduce scheme named by opt.allreduce, with its link-time model.
// `layers` sets the default channel coherence: one realization per token (2 all-reduces a layer).
std::unique_ptr<AllReduce> make_allreduce(const RunOptions& opt, Transport& t, const WirelessConfig& w, int layers);

class Session {
 public:
  // Validates options (clear errors naming the option) and loads the model.
  explicit Session(const RunOptions& opt);
  ~Session();

  Model& model() { return *model_; }
  Engine& engine() { return *engine_; }
  Transport& transport() { return *transport_; }
  const Transport& transport() const { return *transport_; }
  AllReduce& allreduce() { return *allreduce_; }
  ThreadPool& pool() { return *pool_; }
  const Plan& plan() const { return engine_->plan(); }
  const RunOptions& options() const { return opt_; }
  bool is_root() const { return transport_->is_root(); }
  // Broadcasts a token id chosen on the root to every process.
  int share_token(int token);
  // The radio scenario of this run (digital-wireless and AirComp), one entry per device.
  const WirelessConfig& wireless() const { return wireless_; }

 private:
  RunOptions opt_;
  WirelessConfig wireless_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<AllReduce> allreduce_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace airtp
