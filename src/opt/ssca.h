// Stochastic successive convex approximation for the long-timescale model assignment
// (paper.md 4.2; Liu, Lau, Kananian, "Stochastic successive convex approximation for non-convex
// constrained stochastic optimization", IEEE TSP 2019). Iteration t, current m^t:
//   1. draw a channel realization H^t; design the short-timescale transceiver at m^t;
//   2. f^t = MSE(m^t; H^t), g^t = dMSE/dm (GradientMethod, opt/assignment.h);
//      running averages  fbar^t = (1 - rho^t) fbar^{t-1} + rho^t f^t,
//                        u^t    = (1 - rho^t) u^{t-1}    + rho^t g^t,   rho^t = (t+1)^-0.6;
//   3. surrogate  fhat(m) = fbar^t + u^t^T (m - m^t) + eta ||m - m^t||^2, minimized exactly over
//      the feasible set (capped simplex, opt/assignment_qp.h) -> mhat^t;
//   4. m^{t+1} = (1 - gamma^t) m^t + gamma^t mhat^t,  gamma^t = (t+1)^-0.9.
// Every iterate is a convex combination of feasible points, hence feasible.
// The constraints are deterministic (paper.md 8.2: energy feasibility as a bound on m_n), so
// no constraint surrogate is needed.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "opt/assignment.h"

namespace airtp {

// The t-th channel draw (t = 0, 1, ...): e.g. ChannelModel::realization(offset + t), or a pick
// from a fixed set.
using ChannelSampler = std::function<ChannelRealization(int iteration)>;

struct SscaOptions {
  int max_iterations = 500;
  int min_iterations = 100;
  // Stop when max_n |m_n^t - m_n^{t - window}| < tolerance (paper.md T9: < 1e-3 per 50).
  int window = 50;
  double tolerance = 1e-3;
  double rho_exponent = 0.6;
  double gamma_exponent = 0.9;
  // eta = eta_scale * ||u^0||_2: makes the first surrogate step ~1/(2 eta_scale) in share units
  // whatever the MSE scale (eta is then fixed, as SSCA requires).
  double eta_scale = 1.0;
  GradientMethod gradient = GradientMethod::SdrDual;
  ShortTermSolver solver;
  std::vector<double> initial;  // empty = uniform (projected onto the feasible set)
  bool record_trace = true;
};

struct SscaIterate {
  int iteration = 0;
  double sample_mse = 0;   // f^t, MSE of this iteration's realization at m^t
  double running_mse = 0;  // fbar^t
  double rho = 0, gamma = 0;
  std::vector<double> m;   // m^t (the point evaluated at this iteration)
};

struct SscaResult {
  std::vector<double> shares;  // final m (feasible)
  bool converged = false;
  int iterations = 0;
  double running_mse = 0;  // fbar at the end
  double eta = 0;
  double seconds = 0;
  std::vector<SscaIterate> trace;
};

// Throws std::invalid_argument on bad options or an infeasible problem.
SscaResult run_ssca(const AssignmentProblem& problem, const ChannelSampler& sample,
                    const SscaOptions& options = {});

}  // namespace airtp
