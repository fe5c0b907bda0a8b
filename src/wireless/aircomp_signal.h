// Monte-Carlo simulation of the AirComp signal model (paper §1.4), per channel use t:
//     y_t = sum_n H_n B_n s_{n,t} + z_t,  z_t ~ CN(0, sigma^2 I_M),   s_hat_t = A^H y_t,
// whose target is sum_n s_{n,t}. Used to check the analytic MSE and, by the AirComp
// all-reduce, to produce the noisy sum a real transmission would deliver.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

#include "wireless/rng.h"

namespace airtp {

// S[n] is L x T (T channel uses of device n's symbols). Returns s_hat (L x T). Noise drawn
// from `rng`. Throws std::invalid_argument on inconsistent dimensions or sigma2 < 0.
Eigen::MatrixXcd simulate_aircomp(const std::vector<Eigen::MatrixXcd>& H,
                                  const std::vector<Eigen::MatrixXcd>& B, const Eigen::MatrixXcd& A,
                                  const std::vector<Eigen::MatrixXcd>& S, double sigma2,
                                  WirelessRng& rng);

// Over-the-air sum of N real vectors (all of the same length D) with the design (A, {B_n}):
//  1. common-scale normalization (paper.md §8.4 [D]): mu_n = mean(x_n) and
//     v = sqrt(kappa * max_n var(x_n)) are assumed sent digitally (error-free, negligible);
//     s_n = (x_n - mu_n) / v, so every device's complex symbols have E|s|^2 <= 1 as the
//     power budget assumes;
//  2. packing: kappa = reals_per_symbol (1: real part only; 2: two reals per complex symbol),
//     L symbols per channel use, zero-padded: ceil(D / (kappa L)) channel uses;
//  3. s_hat = A^H (sum H_n B_n s_n + z); estimate = sum_n mu_n + v * unpack(s_hat).
// A device with B_n == 0 (dropped) contributes only its mean. If all inputs are constant
// (v = 0) the result is sum_n mu_n exactly and no channel use is spent.
struct AirCompSumInfo {
  int64_t channel_uses = 0;
  double scale = 0;           // v
  std::vector<double> means;  // mu_n
};
std::vector<double> aircomp_sum(const std::vector<std::span<const float>>& partials,
                                const std::vector<Eigen::MatrixXcd>& H,
                                const std::vector<Eigen::MatrixXcd>& B, const Eigen::MatrixXcd& A,
                                double sigma2, WirelessRng& rng, int reals_per_symbol = 2,
                                AirCompSumInfo* info = nullptr);

}  // namespace airtp
