// Experiments mse-power, mse-antennas, mse-devices: AirComp all-reduce MSE of the paper's SDR
// transceiver against the baseline designs, swept over transmit power, receive antennas M or
// devices N, with the digital all-reduce's quantization error as a reference line.
//
// Units. The transceiver MSE is per channel use, summed over the L streams, for unit-variance
// symbols (opt/transceiver.h). To put AirComp and digital on one axis both are also given as
// NMSE = E||estimate - sum||^2 / E||sum||^2 for N independent partial vectors of equal
// variance: for AirComp NMSE = MSE / (N L) (each stream carries one entry of the sum, whose
// variance is N); for digital the coded OFDMA link is error-free (paper.md 2), so only the
// quantization error remains, independent of N and power: NMSE = per-value error variance /
// value variance of one device's partial (the N devices' errors add like their signals).
#pragma once
#include <string>
#include <vector>

#include "opt/transceiver.h"
#include "experiments/experiment.h"
#include "opt/transceiver_study.h"

namespace airtp {

enum class MseAxis { TxPower, RxAntennas, Devices };
// The swept parameter's name (and CSV column): "tx_power_dbm", "rx_antennas", "devices".
const char* mse_axis_column(MseAxis a);

struct MseSweepParams {
  MseAxis axis = MseAxis::TxPower;
  std::vector<double> values;        // the swept values (dBm, M or N)
  int devices = 4, rx_antennas = 20, tx_antennas = 4, streams = 4;
  double tx_power_dbm = 20;
  int realizations = 200;            // channel realizations per point (common to every method)
  int randomizations = 100;          // SDR Gaussian randomization candidates
  uint64_t seed = 1;                 // device placement, channels, randomization
  std::vector<TransceiverMethod> methods{TransceiverMethod::Sdr, TransceiverMethod::MmseZf,
                                         TransceiverMethod::MatchedFilter, TransceiverMethod::EqualPower};
  std::vector<int> digital_bits{8};  // reference lines (block-32 absmax quantizer)
};

struct MsePoint {
  double x = 0;
  int devices = 0, rx_antennas = 0;
  double tx_power_dbm = 0;
  TransceiverStudy study;  // one summary per method, same realizations
};

struct DigitalReference {
  int bits = 8;
  double nmse = 0;  // quantization error / signal, Gaussian partials, block 32
};

struct MseSweepResult {
  std::vector<MsePoint> points;
  std::vector<DigitalReference> digital;
};

// NMSE of the digital all-reduce's quantizer (BlockQuantizer{bits, 32}) on i.i.d. Gaussian
// partial vectors: measured by quantizing `values` draws (deterministic seed).
double digital_quantization_nmse(int bits, int values = 1 << 18);

// Throws std::invalid_argument on bad parameters (e.g. an empty sweep, M < L).
MseSweepResult run_mse_sweep(const MseSweepParams& p, const ExperimentProgress& progress = {});

// NMSE of a transceiver MSE (per channel use, sum over L streams) for N devices: MSE / (N L).
double aircomp_nmse(double mse, int devices, int streams);

// The three experiments.
ExperimentSpec mse_power_experiment();
ExperimentSpec mse_antennas_experiment();
ExperimentSpec mse_devices_experiment();

}  // namespace airtp
