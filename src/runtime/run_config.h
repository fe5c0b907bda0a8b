// Everything one inference run is built from, in the library's terms (parameters, not flags):
// the model, the devices and their shares, the all-reduce scheme with its options, and the
// links it runs over. Front ends (the CLI, the experiments, the tests) fill it in.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "comm/link_config.h"

namespace airtp {

// The radio of a run, for however many devices the run turns out to have (under MPI, one per
// rank): the paper's defaults, devices placed at random 10-100 m from the server
// (docs/wireless-model.md).
struct RadioSettings {
  double tx_power_dbm = 20;       // per-device transmit power budget
  std::optional<double> snr_db;   // if set: power control to this mean receive SNR per antenna
  int rx_antennas = 20, tx_antennas = 4, streams = 4;
  double bandwidth_mhz = 10;
  uint64_t seed = 1;              // placement, channels, randomization, receiver noise
};

enum class TransportKind { InProcess, Mpi };

inline constexpr int kMaxBatch = 1 << 20;

struct RunConfig {
  std::string model_path;
  std::string tokenizer_path;        // llama2.c only
  int threads = 0;                   // 0 = hardware concurrency
  int ctx = 0;                       // 0 = the model's context length
  int batch = 2048;                  // most tokens per forward pass (llama.cpp's -b): longer prompts run in batches
  int devices = 1;                   // in-process devices (under MPI: one per rank)
  std::vector<double> shares;        // fraction of each layer per device; empty = even
  std::string allreduce = "exact";   // a scheme or preset of the registry (comm/scheme.h)
  nlohmann::json allreduce_options = nlohmann::json::object();  // that scheme's options
  int coherence = 0;                 // all-reduces per channel realization (0 = one token's)
  RadioSettings radio;
  double link_gbps = 1.0;            // wire rate of the Ethernet topologies
  double link_latency_us = 0;        // their per-message latency
  TransportKind transport = TransportKind::InProcess;
  double mpi_timeout_s = 60;
  // Measure each all-reduce's error against an exact one (a second all-reduce per call);
  // unset: on in-process, off under MPI (a production run pays for one all-reduce, not two).
  std::optional<bool> measure_error;

  // Throws ParameterError naming the parameter ("threads", "rx_antennas", ...).
  void validate() const;
};

// The radio for n devices: placement from radio.seed, then power control if snr_db is set.
WirelessConfig make_radio(const RadioSettings& radio, int n_devices);
// The links of a run with n devices.
LinkConfig make_link_config(const RunConfig& c, int n_devices);

}  // namespace airtp
