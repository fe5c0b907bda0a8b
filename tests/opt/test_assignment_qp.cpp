// The SSCA subproblem solver against brute force over a fine grid of the feasible set.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "opt/assignment_qp.h"

using namespace airtp;

namespace {
double objective(const std::vector<double>& m, const std::vector<double>& c, const std::vector<double>& w) {
  double f = 0;
  for (size_t i = 0; i < m.size(); ++i) f += 0.5 * (w.empty() ? 1.0 : w[i]) * (m[i] - c[i]) * (m[i] - c[i]);
  return f;
}

// Minimum over m = (x, y, 1 - x - y) on a grid of step h inside the box (and the cut).
struct Grid {
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> arg;
};
Grid brute_force3(const std::vector<double>& c, const std::vector<double>& lo, const std::vector<double>& hi,
                  const std::vector<double>& w, const std::optional<LinearConstraint>& lin, double h) {
  Grid g;
  const int nx = static_cast<int>(std::floor((hi[0] - lo[0]) / h + 1e-9));
  const int ny = static_cast<int>(std::floor((hi[1] - lo[1]) / h + 1e-9));
  for (int ix = 0; ix <= nx; ++ix)
    for (int iy = 0; iy <= ny; ++iy) {
      const double x = lo[0] + ix * h, y = lo[1] + iy * h;
      const double z = 1 - x - y;
      if (z < lo[2] - 1e-12 || z > hi[2] + 1e-12) continue;
      std::vector<double> m{x, y, z};
      if (lin && lin->a[0] * x + lin->a[1] * y + lin->a[2] * z > lin->b + 1e-12) continue;
      const double f = objective(m, c, w);
      if (f < g.best) {
        g.best = f;
        g.arg = m;
      }
    }
  return g;
}

void expect_feasible(const std::vector<double>& m, const std::vector<double>& lo,
                     const std::vector<double>& hi) {
  double s = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_GE(m[i], lo[i] - 1e-15);
    EXPECT_LE(m[i], hi[i] + 1e-15);
    s += m[i];
  }
  EXPECT_NEAR(s, 1, 1e-14);
}
}  // namespace

TEST(SimplexQp, ProjectionMatchesBruteForce) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> U(-1, 1.5), B(0, 0.3), W(0.2, 5);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<double> c(3), lo(3), hi(3), w;
    for (int i = 0; i < 3; ++i) {
      c[i] = U(gen);
      lo[i] = B(gen) * 0.5;
      hi[i] = lo[i] + 0.3 + B(gen) * 2;
    }
    if (trial % 2) w = {W(gen), W(gen), W(gen)};
    double slo = lo[0] + lo[1] + lo[2], shi = hi[0] + hi[1] + hi[2];
    if (slo > 1 || shi < 1) continue;
    const auto m = project_capped_simplex(c, lo, hi, 1.0, w);
    expect_feasible(m, lo, hi);
    const Grid g = brute_force3(c, lo, hi, w, std::nullopt, 0.002);
    // The exact minimizer is at least as good as every grid point, and the grid gets close.
    EXPECT_LE(objective(m, c, w), g.best + 1e-12) << trial;
    EXPECT_NEAR(objective(m, c, w), g.best, 0.02 * std::max(1.0, g.best)) << trial;
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(m[i], g.arg[i], 0.02) << trial;
  }
}

TEST(SimplexQp, KktOfProjection) {
  // Free coordinates share one multiplier tau = w_i (c_i - m_i); clamped ones lie beyond it.
  std::vector<double> c{0.9, 0.5, -0.2, 0.3, 0.05}, lo{0, 0.1, 0, 0, 0}, hi{0.4, 1, 1, 0.25, 1};
  const auto m = project_capped_simplex(c, lo, hi);
  expect_feasible(m, lo, hi);
  double tau = NAN;
  for (size_t i = 0; i < c.size(); ++i)
    if (m[i] > lo[i] + 1e-12 && m[i] < hi[i] - 1e-12) {
      if (std::isnan(tau)) tau = c[i] - m[i];
      EXPECT_NEAR(c[i] - m[i], tau, 1e-14);
    }
  ASSERT_FALSE(std::isnan(tau));
  for (size_t i = 0; i < c.size(); ++i) {
    if (m[i] <= lo[i] + 1e-12) {
      EXPECT_LE(c[i] - lo[i], tau + 1e-14);
    }
    if (m[i] >= hi[i] - 1e-12) {
      EXPECT_GE(c[i] - hi[i], tau - 1e-14);
    }
  }
  // A point already in the set is its own projection.
  std::vector<double> inside{0.2, 0.3, 0.1, 0.2, 0.2};
  const auto same = project_capped_simplex(inside, lo, hi);
  for (size_t i = 0; i < inside.size(); ++i) EXPECT_NEAR(same[i], inside[i], 1e-15);
}

TEST(SimplexQp, LinearCutMatchesBruteForce) {
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> U(-0.5, 1.5), A(0, 3);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<double> c{U(gen), U(gen), U(gen)}, lo{0, 0, 0}, hi{0.8, 0.7, 0.9};
    LinearConstraint lin{{A(gen), A(gen), A(gen)}, A(gen) * 0.8};
    std::optional<LinearConstraint> cut = lin;
    const Grid g = brute_force3(c, lo, hi, {}, cut, 0.002);
    if (g.arg.empty()) {
      EXPECT_THROW(solve_simplex_qp(c, lo, hi, 1.0, {}, cut), std::invalid_argument);
      continue;
    }
    ++checked;
    const auto m = solve_simplex_qp(c, lo, hi, 1.0, {}, cut);
    expect_feasible(m, lo, hi);
    EXPECT_LE(lin.a[0] * m[0] + lin.a[1] * m[1] + lin.a[2] * m[2], lin.b + 1e-9);
    EXPECT_LE(objective(m, c, {}), g.best + 1e-9) << trial;
    EXPECT_NEAR(objective(m, c, {}), g.best, 0.02) << trial;
  }
  EXPECT_GT(checked, 20);
}

TEST(SimplexQp, SurrogateIsShiftedProjection) {
  // argmin g^T (m - m0) + eta ||m - m0||^2 = projection of m0 - g / (2 eta): check by brute force.
  std::vector<double> g{3, -1, 0.5}, m0{0.3, 0.3, 0.4}, lo{0, 0, 0}, hi{1, 0.5, 1};
  const double eta = 2;
  const auto m = solve_surrogate(g, m0, eta, lo, hi);
  auto f = [&](const std::vector<double>& x) {
    double v = 0;
    for (int i = 0; i < 3; ++i) v += g[i] * (x[i] - m0[i]) + eta * (x[i] - m0[i]) * (x[i] - m0[i]);
    return v;
  };
  double best = 1e300;
  for (int i = 0; i <= 1000; ++i)
    for (int j = 0; j <= 500 && i + j <= 1000; ++j)
      best = std::min(best, f({i / 1000.0, j / 1000.0, (1000 - i - j) / 1000.0}));
  EXPECT_LE(f(m), best + 1e-12);
  EXPECT_NEAR(f(m), best, 1e-4);
}

TEST(SimplexQp, InfeasibleAndBadInputsThrow) {
  std::vector<double> c{0.5, 0.5};
  EXPECT_THROW(project_capped_simplex(c, std::vector<double>{0, 0}, std::vector<double>{0.4, 0.4}),
               std::invalid_argument);  // upper bounds sum to 0.8
  EXPECT_THROW(project_capped_simplex(c, std::vector<double>{0.6, 0.6}, std::vector<double>{1, 1}),
               std::invalid_argument);  // lower bounds sum to 1.2
  EXPECT_THROW(project_capped_simplex(c, std::vector<double>{0.5, 0}, std::vector<double>{0.4, 1}),
               std::invalid_argument);  // lo > hi
  EXPECT_THROW(project_capped_simplex(std::vector<double>{NAN, 0}, std::vector<double>{0, 0},
                                      std::vector<double>{1, 1}),
               std::invalid_argument);
  EXPECT_THROW(solve_surrogate(c, c, 0, std::vector<double>{0, 0}, std::vector<double>{1, 1}),
               std::invalid_argument);
}
