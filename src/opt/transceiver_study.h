// Transceiver designs compared over many channel realizations of one radio scenario: the
// numbers behind `airtp optimize` and the MSE-vs-power/antennas/devices experiments.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "opt/transceiver.h"
#include "wireless/wireless_config.h"

namespace airtp {

struct MethodSummary {
  TransceiverMethod method;
  double mean_mse = 0;        // per channel use (sum over the L streams), unit-variance symbols
  double mean_sdr_bound = 0;  // SDR only: mean of sigma2 tr(Q*) (NaN otherwise)
  double mean_gap = 0;        // SDR only: mean of achieved / bound
  double max_gap = 0;         // SDR only: worst achieved / bound
  double mean_lb_gap = 0;     // SDR only: mean of achieved / certified ZF lower bound
  double mean_seconds = 0;    // solve time per design
  double max_seconds = 0;
  double mean_dropped = 0;    // devices dropped per realization
  int wins = 0;               // realizations where this method had the lowest MSE
};

struct TransceiverStudy {
  int realizations = 0;
  std::vector<MethodSummary> methods;
};

// Realizations 0..count-1 of the scenario's channel; every method designs for the same ones.
TransceiverStudy run_transceiver_study(const WirelessConfig& w, const std::vector<TransceiverMethod>& methods,
                                       int realizations, const TransceiverOptions& opt = {},
                                       const std::function<void(int, int)>& progress = {});

nlohmann::json to_json(const TransceiverStudy& s);

}  // namespace airtp
