// The convex subproblem of the stochastic SCA (paper.md 4.2 step 3), solved exactly:
//
//     min_m  sum_i (w_i / 2) (m_i - c_i)^2     s.t.  sum_i m_i = total,  lo <= m <= hi
//                                                    [, a^T m <= b]
//
// i.e. a (weighted) Euclidean projection onto the capped simplex, optionally cut by one linear
// inequality. The projection is exact (sort the breakpoints of the piecewise-linear map
// tau -> sum_i clamp(c_i - tau / w_i, lo_i, hi_i) and solve on the right segment); the linear
// inequality is handled by bisection on its multiplier (monotone), to machine precision.
#pragma once
#include <optional>
#include <span>
#include <vector>

namespace airtp {

struct LinearConstraint {
  std::vector<double> a;  // a^T m <= b
  double b = 0;
};

// Throws std::invalid_argument when sizes disagree, lo > hi, w <= 0, or the feasible set is
// empty (sum lo > total, sum hi < total, or min over the box-simplex of a^T m > b); the message
// says which.
std::vector<double> project_capped_simplex(std::span<const double> c, std::span<const double> lo,
                                           std::span<const double> hi, double total = 1.0,
                                           std::span<const double> weights = {});

std::vector<double> solve_simplex_qp(std::span<const double> c, std::span<const double> lo,
                                     std::span<const double> hi, double total,
                                     std::span<const double> weights,
                                     const std::optional<LinearConstraint>& linear);

// SSCA surrogate: argmin_m  g^T (m - m0) + eta ||m - m0||^2 over the same set (eta > 0).
std::vector<double> solve_surrogate(std::span<const double> g, std::span<const double> m0,
                                    double eta, std::span<const double> lo,
                                    std::span<const double> hi,
                                    const std::optional<LinearConstraint>& linear = std::nullopt);

}  // namespace airtp
