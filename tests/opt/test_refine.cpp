// The design's selection and refinement beyond the paper: never worse than a baseline on the
// same realization, monotone refinements checked against explicit formulas, the best drop set
// against all subsets, and the size bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "../expect_invalid.h"
#include "opt/baselines.h"
#include "opt/refine.h"
#include "opt/sdp.h"
#include "util/parameter_error.h"
#include "wireless/channel.h"
#include "wireless/rng.h"

namespace airtp {
namespace {

TransceiverProblem problem_at(int N, uint64_t block, double dbm, int M = 20, int K = 4, uint64_t seed = 11) {
  auto cfg = default_wireless_config(N, seed, dbm);
  cfg.n_rx_antennas = M;
  cfg.n_tx_antennas = K;
  cfg.n_streams = K;
  const auto r = ChannelModel(cfg).realization(block);
  return {r.H, r.noise_power_w, std::vector<double>(N, cfg.tx_power_w(0)), K};
}

// alpha(G) by explicit inverses, independent of the QR route in transceiver.cpp.
double explicit_alpha(const TransceiverProblem& p, const Eigen::MatrixXcd& G, const std::vector<bool>& dropped = {}) {
  const Eigen::MatrixXcd Gn = G / G.norm();
  double a = 0;
  for (int n = 0; n < p.n_devices(); ++n)
    if (dropped.empty() || !dropped[n])
      a = std::max(a, (Gn.adjoint() * p.H[n] * p.H[n].adjoint() * Gn).inverse().trace().real() / p.power[n]);
  return a;
}

TEST(Selection, NeverWorseThanAnyBaselineAtAnyPower) {
  // The old design lost to equal power + LMMSE in most realizations at -10 dBm and below.
  int beaten_before = 0, total = 0;
  for (double dbm : {-20.0, -15.0, -10.0, 0.0, 20.0})
    for (int N : {4, 8})
      for (uint64_t b = 0; b < 6; ++b) {
        const auto p = problem_at(N, b, dbm);
        const auto d = design_sdr(p);
        TransceiverOptions paper;
        paper.paper_only = true;
        const auto old = design_sdr(p, paper);
        // Exact MSE recomputed from the returned matrices, and the power budgets met.
        const double mse = aircomp_mse(d.A, d.B, p.H, p.sigma2);
        EXPECT_NEAR(mse, d.mse, 1e-9 * mse);
        for (int n = 0; n < N; ++n) EXPECT_LE(d.B[n].squaredNorm(), p.power[n] * (1 + 1e-9));
        double best_baseline = INFINITY;
        for (const auto& base : {design_matched_filter(p), design_mmse_zf(p), design_equal_power(p), old}) {
          const double bm = aircomp_mse(base.A, base.B, p.H, p.sigma2);
          EXPECT_LE(mse, bm * (1 + 1e-12)) << dbm << " dBm N=" << N << " block " << b << " vs " << base.method
                                           << " (chosen " << d.chosen << ")";
          if (base.method != "sdr") best_baseline = std::min(best_baseline, bm);
        }
        beaten_before += old.mse > best_baseline;
        ++total;
      }
  std::cout << "[ selection ] the paper's design lost to a baseline in " << beaten_before << "/" << total
            << " realizations; the design in 0\n";
  EXPECT_GT(beaten_before, 0);  // the test covers the regime where the old code failed
}

TEST(Selection, DropRuleIsACandidateNotAForcedChoice) {
  // A device just below the deep-fade threshold... and one just above: the design never pays
  // more than the better of dropping and serving it.
  for (double fade : {1e-3, 3e-3, 1e-2, 3e-2}) {
    auto p = problem_at(4, 3, 0.0);
    p.H[2] *= fade;
    TransceiverOptions forced;
    forced.paper_only = true;
    TransceiverOptions never = forced;
    never.drop_solo_mse = 0;
    const auto d = design_sdr(p);
    EXPECT_LE(d.mse, design_sdr(p, forced).mse * (1 + 1e-12)) << fade;
    EXPECT_LE(d.mse, design_sdr(p, never).mse * (1 + 1e-12)) << fade;
  }
}

TEST(Selection, BestDropSetMatchesAllSubsets) {
  WirelessRng rng(5);
  for (uint64_t b = 0; b < 6; ++b) {
    auto p = problem_at(5, b, -5.0, 8, 2);
    p.H[b % 5] *= 0.05;  // somebody weak
    Eigen::MatrixXcd G(8, 2);
    for (int j = 0; j < 2; ++j)
      for (int i = 0; i < 8; ++i) G(i, j) = rng.complex_normal();
    double brute = INFINITY;
    for (int mask = 0; mask < 32; ++mask) {
      std::vector<bool> drop(5);
      int k = 0;
      for (int n = 0; n < 5; ++n) k += (drop[n] = (mask >> n) & 1);
      const double v = k == 5 ? 10.0 : p.sigma2 * explicit_alpha(p, G, drop) + 2.0 * k;
      brute = std::min(brute, v);
    }
    const auto drop = best_drop_set(p, G, {}, true);
    const auto d = zf_design_from_direction(p, G, drop, "t");
    EXPECT_NEAR(d.mse / brute, 1.0, 1e-9) << "block " << b;
    EXPECT_EQ(best_drop_set(p, G, {}, false), std::vector<bool>(5, false));
  }
}

TEST(Refinement, ZfDirectionNeverIncreasesAlphaAndImprovesRandomStarts) {
  WirelessRng rng(9);
  for (uint64_t b = 0; b < 8; ++b) {
    const auto p = problem_at(8, b, 20.0);
    Eigen::MatrixXcd G(20, 4);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 20; ++i) G(i, j) = rng.complex_normal();
    const double before = explicit_alpha(p, G);
    int steps = 0;
    const Eigen::MatrixXcd R = refine_zf_direction(p, G, {}, 1e-4, 200, &steps);
    const double after = explicit_alpha(p, R);
    EXPECT_NEAR(R.norm(), 1.0, 1e-12);
    EXPECT_LE(after, before * (1 + 1e-12)) << "block " << b;
    EXPECT_LT(after, 0.5 * before) << "a random direction is far from a local optimum";
    // Started at its own result it stays (no step lowers alpha by more than the tolerance).
    const Eigen::MatrixXcd R2 = refine_zf_direction(p, R, {}, 1e-4, 200);
    EXPECT_LE(explicit_alpha(p, R2), after * (1 + 1e-12));
    EXPECT_GE(explicit_alpha(p, R2), after * (1 - 2e-2));
    EXPECT_GT(steps, 0);
  }
}

TEST(Refinement, AlternatingNeverIncreasesTheMseAndEndsAtABlockOptimum) {
  for (uint64_t b = 0; b < 5; ++b) {
    const auto p = problem_at(6, b, -15.0);
    TransceiverDesign d = design_equal_power(p);
    const double before = d.mse;
    int steps = 0;
    refine_alternating(p, d, 1e-9, 500, &steps);
    EXPECT_LE(d.mse, before) << "block " << b;
    EXPECT_NEAR(d.mse, aircomp_mse(d.A, d.B, p.H, p.sigma2), 1e-12 * d.mse);
    for (int n = 0; n < 6; ++n) EXPECT_LE(d.B[n].squaredNorm(), p.power[n] * (1 + 1e-9));
    // Block optimality: feasible perturbations of one B_n (renormalized into the budget) and
    // any perturbation of A do not lower the MSE.
    WirelessRng rng(b);
    for (int k = 0; k < 20; ++k) {
      const int n = k % 6;
      auto B = d.B;
      Eigen::MatrixXcd E(4, 4);
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 4; ++i) E(i, j) = rng.complex_normal();
      B[n] += 1e-3 * B[n].norm() / E.norm() * E;
      if (B[n].squaredNorm() > p.power[n]) B[n] *= std::sqrt(p.power[n] / B[n].squaredNorm());
      EXPECT_GE(aircomp_mse(d.A, B, p.H, p.sigma2), d.mse * (1 - 1e-7)) << "B_" << n;
      Eigen::MatrixXcd F(20, 4);
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 20; ++i) F(i, j) = rng.complex_normal();
      EXPECT_GE(aircomp_mse(d.A + 1e-3 * d.A.norm() / F.norm() * F, d.B, p.H, p.sigma2), d.mse);
    }
  }
}

TEST(Refinement, DesignIsMonotoneAndCloseToTheRelaxation) {
  // Paper point M = 20, K = L = 4, 20 dBm: the refined design is never above the paper's
  // design and, at N = 8, within 10 % of the relaxation's value on average.
  for (int N : {4, 8}) {
    double ratio = 0, ratio_paper = 0, worst = 0;
    const int runs = 20;
    for (int b = 0; b < runs; ++b) {
      const auto p = problem_at(N, b, 20.0, 20, 4, 99);
      TransceiverOptions paper;
      paper.paper_only = true;
      const auto d = design_sdr(p), o = design_sdr(p, paper);
      EXPECT_LE(d.mse, o.mse * (1 + 1e-12));
      EXPECT_LE(d.zf_lower_bound, d.mse * (1 + 1e-9));
      ratio += d.mse / d.sdr_bound / runs;
      ratio_paper += o.mse / o.sdr_bound / runs;
      worst = std::max(worst, d.mse / d.sdr_bound);
    }
    std::cout << "[ M=20 K=L=4 N=" << N << " ] mean MSE / SDR value: refined " << ratio << " (worst " << worst
              << "), paper " << ratio_paper << "\n";
    EXPECT_LE(ratio, N <= 4 ? 1.05 : 1.10);
  }
}

TEST(Bounds, SizesAndCandidateCountHaveClearErrors) {
  using test::expect_invalid;
  // M = 65 cannot even be configured now (wireless config bounds it to 64 like the CLI); the
  // design's own bound is checked on a hand-made problem.
  auto p = problem_at(2, 0, 20.0, 20, 2);
  p.H[0].conservativeResize(65, Eigen::NoChange);
  p.H[0].bottomRows(1).setZero();
  p.H[1].conservativeResize(65, Eigen::NoChange);
  p.H[1].bottomRows(1).setZero();
  expect_invalid([&] { design_sdr(p); }, "rx_antennas 65 is outside 1..64");
  EXPECT_THROW(design_sdr(p), ParameterError);
  p = problem_at(17, 0, 20.0, 20, 4);
  expect_invalid([&] { design_sdr(p); }, "tx_antennas 4 with 17 devices gives N x 4^2 = 272 Newton unknowns");
  p = problem_at(2, 0, 20.0, 20, 4);
  TransceiverOptions o;
  o.n_randomizations = 10001;
  expect_invalid([&] { design_sdr(p, o); }, "randomizations 10001 is outside 0..10000");
  o = {};
  o.refine_tolerance = 0;
  expect_invalid([&] { design_sdr(p, o); }, "refine_tolerance");
  // Inside the bounds the largest accepted problem is designed (the limits are not too tight).
  o = {};
  o.n_randomizations = 10;
  const auto d = design_sdr(problem_at(16, 0, 20.0, 64, 4), o);
  EXPECT_TRUE(std::isfinite(d.mse));
}

}  // namespace
}  // namespace airtp
