// Experiment ppl-snr: accuracy of the bundled model on its held-out text when every all-reduce
// goes over the air (AirComp with the paper's SDR design and the MMSE baseline) or digitally
// (8-bit, 4-bit), as the mean receive SNR per antenna is swept by power control; exact
// all-reduce (= single-device inference) is the reference. Reports perplexity, KL divergence to
// exact single-device inference, top-1 agreement, and the NMSE of the all-reduces measured on
// the model's own activations.
#pragma once
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "runtime/perplexity.h"

namespace airtp {

struct PplSweepParams {
  std::string model_path, text_path;
  int devices = 4;
  std::vector<double> snr_db{-5, 0, 5, 10, 15, 20, 25, 30};
  std::vector<std::string> aircomp_designs{"sdr", "mmse"};
  std::vector<int> digital_bits{8, 4};
  int ctx = 128, chunks = 8;
  int coherence = 4;         // all-reduces per channel realization (block fading)
  int randomizations = 100;  // SDR candidates
  int threads = 0;
  uint64_t seed = 1;
};

struct PplRun {
  std::string scheme;   // "exact-1dev", "exact", "aircomp-sdr", "digital-8bit", ...
  std::string label;    // the scheme registry's label, for plots
  double snr_db = 0;    // NaN for exact
  int devices = 0;
  PerplexityResult ppl;
  double nmse = 0;              // ||all-reduce error||^2 / ||exact sum||^2 over the run
  double link_ms_per_token = 0; // modelled air/wire time of the all-reduces per scored... processed token
  int designs = 0;              // AirComp transceiver designs solved
  double dropped = 0;           // AirComp: device-blocks dropped per design
};

struct PplSweepResult {
  long long text_tokens = 0;
  std::vector<PplRun> runs;
};

// Throws std::invalid_argument on bad parameters or unreadable files.
PplSweepResult run_ppl_sweep(const PplSweepParams& p, const ExperimentProgress& progress = {});

ExperimentSpec ppl_snr_experiment();

}  // namespace airtp
