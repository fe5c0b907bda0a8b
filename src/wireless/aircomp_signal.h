// The AirComp signal chain (paper §1.4), per channel use t:
//     y_t = sum_n H_n B_n s_{n,t} + z_t,  z_t ~ CN(0, sigma^2 I_M),   s_hat_t = A^H y_t,
// whose target is sum_n s_{n,t}. The over-the-air all-reduce (comm/aircomp) runs these steps,
// split at the air: each process packs and superposes its own devices, a transport sum adds
// the processes' contributions, and the server's side receives and unpacks. aircomp_sum runs
// the same steps in one process, for tests and experiments.
//
// Normalization (paper.md §8.4 [D]): device n sends s_n = (x_n - mu_n) / v with its mean mu_n and
// the common scale v = sqrt(kappa * max_n var(x_n)) sent digitally (2N+1 numbers, error-free,
// negligible), so every device's symbols have E|s|^2 <= 1 as the power budget assumes.
// Packing: kappa = reals_per_symbol (1: real part only; 2: two reals per complex symbol), L
// symbols per channel use, zero-padded: value i goes to symbol k = i / kappa, stream k % L,
// channel use k / L.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

#include "wireless/rng.h"

namespace airtp {

// ceil(D / (kappa L)) channel uses for D values.
int64_t aircomp_channel_uses(size_t values, int reals_per_symbol, int streams);

// Mean and variance of one device's partial (the numbers sent digitally before the air).
struct PartialMoments {
  double mean = 0, variance = 0;
};
PartialMoments partial_moments(std::span<const float> x);
// v = sqrt(kappa * max_n variance_n).
double aircomp_common_scale(const std::vector<PartialMoments>& m, int reals_per_symbol);

// The L x T symbols of one device: (x - mean) / v, packed as above.
Eigen::MatrixXcd aircomp_pack(std::span<const float> x, double mean, double scale, int reals_per_symbol, int streams,
                              int64_t channel_uses);
// Y += H_n (B_n S_n): one device's contribution at the server's antennas.
void aircomp_superpose(const Eigen::MatrixXcd& H, const Eigen::MatrixXcd& B, const Eigen::MatrixXcd& S,
                       Eigen::MatrixXcd& Y);
// The server: adds the receiver noise to the superposition (drawn channel use by channel use,
// antenna by antenna, from `rng`) and returns s_hat = A^H y.
Eigen::MatrixXcd aircomp_receive(Eigen::MatrixXcd Y, const Eigen::MatrixXcd& A, double sigma2, WirelessRng& rng);
// estimate_i = sum_n mu_n + v * s_hat(value i).
void aircomp_unpack(const Eigen::MatrixXcd& s_hat, double mean_sum, double scale, int reals_per_symbol,
                    std::span<float> out);
void aircomp_unpack(const Eigen::MatrixXcd& s_hat, double mean_sum, double scale, int reals_per_symbol,
                    std::span<double> out);

// S[n] is L x T (T channel uses of device n's symbols). Returns s_hat (L x T). Throws
// std::invalid_argument on inconsistent dimensions or sigma2 < 0.
Eigen::MatrixXcd simulate_aircomp(const std::vector<Eigen::MatrixXcd>& H,
                                  const std::vector<Eigen::MatrixXcd>& B, const Eigen::MatrixXcd& A,
                                  const std::vector<Eigen::MatrixXcd>& S, double sigma2,
                                  WirelessRng& rng);

// Over-the-air sum of N real vectors (all of the same length D) with the design (A, {B_n}):
// normalize, pack, superpose, receive, unpack. A device with B_n == 0 (dropped) contributes only
// its mean. If all inputs are constant (v = 0) the result is sum_n mu_n exactly and no channel
// use is spent.
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
