// Experiment latency-devices: per-token decode latency vs the number of devices N for the
// AirComp, digital OFDMA, Ethernet-mesh (distributed-llama) and exact all-reduces, split into
// compute and communication (sim/latency.h model), for
//   (a) the bundled model, its compute calibrated from a decode measured on this machine, and
//   (b) the paper's model sizes, their compute calibrated so that LLaMA2-7B on one device takes
//       the paper's 114.2 ms/token (Table I); other models scale by their weight bytes.
// Radio: the paper-homogeneous-N scenario presets (N devices spread evenly over 10-100 m,
// M = 20, K = L = 4, 10 MHz, 20 dBm).
#pragma once
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "perfmodel/latency.h"
#include "perfmodel/model_shape.h"

namespace airtp {

struct LatencySweepParams {
  std::vector<int> devices{1, 2, 3, 4, 6, 8};
  std::vector<AllReduceScheme> schemes{AllReduceScheme::AirComp, AllReduceScheme::DigitalOfdma,
                                       AllReduceScheme::EthernetMesh, AllReduceScheme::Exact};
  double bandwidth_mhz = 10;
  double tx_power_dbm = 20;
  double digital_bits = 8;
  double ethernet_gbps = 1;
  bool broadcast = true;         // count the downlink broadcast of the reduced vector
  double sync_overhead_us = 0;   // per wireless all-reduce
  double device_memory_gb = 24;  // a share whose weights do not fit is reported as not fitting
  uint64_t seed = 1;
};

struct LatencyRow {
  std::string model;
  int devices = 0;
  AllReduceScheme scheme = AllReduceScheme::AirComp;
  bool fits = true;
  TokenLatency latency;
};

// One model shape on N identical devices with `device` compute, uniform shares, for every
// (N, scheme) of the sweep.
std::vector<LatencyRow> latency_sweep(const ModelShape& model, const DeviceProfile& device,
                                      const LatencySweepParams& p);

// A device whose compute makes `model` decode in `seconds_per_token` on its own
// (calibrate_decode + apply_calibration).
DeviceProfile calibrated_device(const ModelShape& model, double seconds_per_token, double memory_bytes);

// The paper's Table I (ms/token, proposed AirComp scheme; NaN = does not fit), for N = 1, 2, 4, 8.
// Empty if the model is not in the table.
std::vector<std::pair<int, double>> paper_table1(const std::string& model);

ExperimentSpec latency_experiment_spec();

}  // namespace airtp
