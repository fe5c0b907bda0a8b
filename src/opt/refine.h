// Local improvement of a transceiver design on the exact MSE, after the SDR's randomization
// (beyond the paper: randomization alone loses ~35 % to the relaxation at N = 8), and the
// choice of which devices to serve for a given receive direction. Every routine here is
// monotone: its result never has a larger exact MSE than its input.
#pragma once
#include <Eigen/Dense>
#include <vector>

#include "opt/transceiver.h"

namespace airtp {

// Devices to drop for the ZF direction G: with r_n = ||G||^2 c_n(G) / p_n over the devices not
// in `must_drop`, dropping the k largest gives MSE_k = sigma2 r_(k+1) + L (k + |must_drop|), so
// the optimum over all subsets is a prefix of the sorted ratios; this returns the best prefix
// (k = 0 when allow_drop is false). Replaces a fixed deep-fade threshold by the exact trade.
std::vector<bool> best_drop_set(const TransceiverProblem& problem, const Eigen::MatrixXcd& G,
                                const std::vector<bool>& must_drop, bool allow_drop);

// ZF refinement: minimizes log alpha(G) = log ||G||^2 + max_n log(c_n(G) / p_n) over the kept
// devices by gradient steps on a log-sum-exp smoothing of the max (temperature lowered when no
// step helps), a step being taken only if it lowers the exact alpha. Stops when the exact
// alpha improved by less than `tolerance` (relative) over the last 10 steps, the temperature
// reaches 1e-6, or after max_iterations. Returns the refined direction (||G|| = 1).
Eigen::MatrixXcd refine_zf_direction(const TransceiverProblem& problem, const Eigen::MatrixXcd& G,
                                     const std::vector<bool>& dropped, double tolerance, int max_iterations,
                                     int* iterations = nullptr);

// Non-ZF refinement by exact block minimization of the MSE: B_n <- argmin ||A^H H_n B - I||^2
// s.t. ||B||^2 <= p_n (regularized inverse, multiplier by bisection), then A <- the LMMSE
// receiver for those B. Each block step is an exact minimizer, so the MSE never increases.
// Stops on `tolerance` (relative improvement of one sweep) or max_iterations; re-evaluates d.
void refine_alternating(const TransceiverProblem& problem, TransceiverDesign& d, double tolerance,
                        int max_iterations, int* iterations = nullptr);

}  // namespace airtp
