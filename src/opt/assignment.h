// The long-timescale model-assignment problem (paper.md 3): choose the fraction m_n of every
// layer given to device n, once per session, to minimize the expected AirComp MSE
//
//     min_m  E_H [ min_{A, B_n} MSE(A, {B_n}; H) ]
//     s.t.   sum_n m_n = 1,  lo_n <= m_n <= hi_n  (memory, and any other caller limits),
//            e_n m_n s_tot + T_tx tr(B_n B_n^H) <= P_n^max      (energy per layer step)
//
// where tr(B_n B_n^H) is a transmit POWER (W, per channel use) and T_tx the seconds the
// transmitter is on per layer step (airtp's reading of the paper's (L0/L) tr(B B^H), see
// docs/assignment-and-latency.md). So device n may transmit with
//     p_n(m) = (P_n^max - e_n s_tot m_n) / T_tx,
// which must stay > 0: m_n <= (1 - energy_margin) P_n^max / (e_n s_tot).
// Pure numerics: knows channels and transceivers, not models or devices (perfmodel/scenario_assignment.h builds
// this from a Scenario).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "opt/assignment_qp.h"
#include "opt/transceiver.h"
#include "wireless/channel.h"

namespace airtp {

struct AssignmentProblem {
  std::vector<double> energy_per_param;  // e_n (J per parameter of the share, per layer)
  std::vector<double> energy_budget;     // P_n^max (J per layer step)
  double layer_params = 0;               // s_tot
  double tx_seconds = 0;                 // T_tx (s per layer step)
  std::vector<double> min_share;         // lo_n; empty = 0
  std::vector<double> max_share;         // hi_n before the energy bound (memory...); empty = 1
  double energy_margin = 1e-3;
  std::optional<LinearConstraint> linear;  // optional extra a^T m <= b (e.g. a total energy cap)

  int n_devices() const { return static_cast<int>(energy_budget.size()); }
  // Throws std::invalid_argument naming the field; also when no share vector is feasible.
  void validate() const;
  std::vector<double> lower_bounds() const;
  // min(max_share_n, (1 - energy_margin) P_n^max / (e_n s_tot), 1).
  std::vector<double> upper_bounds() const;
  // p_n(m) in W; throws if m violates the energy bound.
  std::vector<double> tx_power(std::span<const double> m) const;
  // dp_n / dm_n = -e_n s_tot / T_tx (p_n depends on m_n only).
  std::vector<double> tx_power_slope() const;
  // Within `tol`: sum = 1, bounds, optional linear constraint.
  bool is_feasible(std::span<const double> m, double tol = 1e-9) const;
  // Empty string if feasible, else what is violated (for messages and tests).
  std::string violation(std::span<const double> m, double tol = 1e-9) const;
};

// How each channel realization's short-timescale design is computed (opt/transceiver.h).
struct ShortTermSolver {
  TransceiverMethod method = TransceiverMethod::Sdr;
  TransceiverOptions options;
  int n_streams = 4;  // L
};

TransceiverProblem transceiver_problem(const ChannelRealization& channel,
                                       std::span<const double> power, int n_streams);

// How dMSE*/dm is obtained from one realization's design (paper.md 4.2):
//  SdrDual        envelope theorem on the SDR value sigma^2 tr(Q*): dMSE/dm_n =
//                 sigma^2 tr(Lambda_n*) L e_n s_tot / (T_tx p_n^2) (needs method Sdr);
//  FixedDirection G of the design held fixed: MSE = sigma^2 max_n c_n / p_n(m); the gradient of
//                 the active (arg max) term, sigma^2 c_a e_a s_tot / (T_tx p_a^2). Works for
//                 every ZF design.
enum class GradientMethod { SdrDual, FixedDirection };
GradientMethod parse_gradient_method(const std::string& name);  // "dual" | "fixed"
std::string to_string(GradientMethod g);

struct SampleEvaluation {
  double mse = 0;        // exact MSE of the design at m (per channel use, sum over L streams)
  double sdr_bound = 0;  // sigma^2 tr(Q*) (NaN if not available)
  std::vector<double> gradient;  // d MSE / d m
  int n_dropped = 0;
};
SampleEvaluation evaluate_sample(const AssignmentProblem& problem, std::span<const double> m,
                                 const ChannelRealization& channel, const ShortTermSolver& solver,
                                 GradientMethod gradient);

struct MseEstimate {
  double mean = 0;
  double std_error = 0;
  double mean_sdr_bound = 0;  // NaN when not available
  std::vector<double> per_sample;
};
// Average exact MSE over a fixed set of realizations (common random numbers: compare
// assignments on the same set).
MseEstimate expected_mse(const AssignmentProblem& problem, std::span<const double> m,
                         std::span<const ChannelRealization> channels,
                         const ShortTermSolver& solver);

// Baselines. Shares proportional to `weights` (>= 0, not all 0), then Euclidean-projected onto
// the feasible set if they violate a bound (so they are always feasible).
std::vector<double> proportional_shares(const AssignmentProblem& problem,
                                        std::span<const double> weights);
std::vector<double> uniform_shares(const AssignmentProblem& problem);

}  // namespace airtp
