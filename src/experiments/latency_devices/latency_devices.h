// Experiment latency-devices: per-token decode latency vs the number of devices N for the
// all-reduce schemes of the registry (default AirComp, digital OFDMA, Ethernet mesh, exact),
// split into compute and communication (perfmodel/latency.h), for
//   (a) the bundled model, its compute calibrated from a decode measured on this machine, and
//   (b) the paper's model sizes, their compute calibrated so that LLaMA2-7B on one device takes
//       the paper's 1-device time (Table I); other models scale by their weight bytes.
// Radio: the paper-homogeneous-N scenario presets (N devices spread evenly over 10-100 m).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "perfmodel/latency.h"
#include "perfmodel/model_shape.h"
#include "perfmodel/scenario.h"

namespace airtp {

struct LatencySweepParams {
  std::vector<int> devices{1, 2, 3, 4, 6, 8};
  std::vector<std::string> schemes{"aircomp", "digital", "mesh", "exact"};  // registry names
  double bandwidth_mhz = 10;
  double tx_power_dbm = 20;
  int digital_bits = 8;
  double ethernet_gbps = 1;
  bool broadcast = true;         // count the downlink broadcast of the reduced vector
  double sync_overhead_us = 0;   // per wireless all-reduce
  double device_memory_gb = 24;  // a share whose weights do not fit is reported as not fitting
  uint64_t seed = 1;
};

struct LatencyRow {
  std::string model;
  int devices = 0;
  std::string scheme;
  bool fits = true;
  TokenLatency latency;
};

// The paper-homogeneous-N scenario with the sweep's radio and link settings and `device`'s
// compute on every device (each keeps its distance).
Scenario latency_scenario(const ModelShape& model, const DeviceProfile& device, const LatencySweepParams& p, int n);

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

// Decode of the bundled model measured on this machine (airtp bench): one device, and the
// in-process tensor-parallel compute per token for each N.
struct BundledMeasurement {
  std::string path;
  double load_before = -1, load_after = -1;  // 1-minute load average around the measurement
  ModelShape shape;
  double s_per_token = 0;          // one device, measured (or given) decode time
  bool given = false;              // s_per_token was given, not measured
  std::map<int, double> split_ms;  // N -> measured compute per token (slowest device per step)
};
struct BenchSettings {
  int threads = 0, prompt_tokens = 16, gen_tokens = 64, repetitions = 10;
  double given_ms_per_token = 0;  // > 0: use this instead of measuring one device
  bool measure_split = true;
};
BundledMeasurement measure_bundled(const std::string& model_path, const BenchSettings& b,
                                   const std::vector<int>& devices, const ExperimentProgress& progress,
                                   double progress_share);

ExperimentSpec latency_devices_experiment();

}  // namespace airtp
