// The semidefinite relaxation and the full SDR design: solver cross-checks, certificates,
// closed forms, brute force on tiny instances, and the comparison with the baselines.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "opt/baselines.h"
#include "opt/sdp.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

TransceiverProblem make_problem(int N, uint64_t block, int M, int K, uint64_t seed = 7) {
  auto cfg = default_wireless_config(N, seed);
  cfg.n_rx_antennas = M;
  cfg.n_tx_antennas = K;
  cfg.n_streams = K;
  const auto r = ChannelModel(cfg).realization(block);
  return {r.H, r.noise_power_w, std::vector<double>(N, cfg.tx_power_w(0)), K};
}

double min_eig(const Eigen::MatrixXcd& X) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(X, Eigen::EigenvaluesOnly).eigenvalues()(0);
}
double max_eig(const Eigen::MatrixXcd& X) {
  const auto ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(X, Eigen::EigenvaluesOnly).eigenvalues();
  return ev(ev.size() - 1);
}

// Checks primal and dual feasibility independently; returns the certified relative gap.
double certified_gap(const std::vector<Eigen::MatrixXcd>& F, const std::vector<double>& c, const SdrSolution& s) {
  const auto M = F[0].rows();
  EXPECT_GE(min_eig(s.Q), -1e-9 * s.Q.norm());
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(M, M);
  double dual = 0;
  for (size_t n = 0; n < F.size(); ++n) {
    EXPECT_GE(min_eig(F[n].adjoint() * s.Q * F[n]) / c[n], 1 - 1e-9) << "primal LMI " << n;
    EXPECT_GE(min_eig(s.Lambda[n]), -1e-9 * s.Lambda[n].norm()) << "dual PSD " << n;
    S += F[n] * s.Lambda[n] * F[n].adjoint();
    dual += c[n] * s.Lambda[n].trace().real();
  }
  EXPECT_LE(max_eig(S), 1 + 1e-9);
  const double primal = s.Q.trace().real();
  EXPECT_NEAR(primal, s.trace, 1e-12 * primal);
  EXPECT_NEAR(dual, s.dual_value, 1e-9 * dual);
  EXPECT_GE(primal, dual * (1 - 1e-9));  // weak duality
  return (primal - dual) / primal;
}

TEST(Sdr, BarrierAndDsdpAgreeWithCertificates) {
  for (auto [N, M, K] : {std::tuple{4, 20, 4}, std::tuple{3, 6, 2}, std::tuple{2, 4, 1}}) {
    const auto p = make_problem(N, 1, M, K);
    std::vector<double> c;
    for (int n = 0; n < N; ++n) c.push_back(K / (p.power[n] * (1 + n)));
    const auto a = solve_sdr(p.H, c, 1e-7, SdpSolver::Barrier);
    const auto b = solve_sdr(p.H, c, 1e-9, SdpSolver::Dsdp);
    EXPECT_TRUE(a.converged) << a.status;
    EXPECT_TRUE(b.converged) << b.status;
    EXPECT_LT(certified_gap(p.H, c, a), 5e-7) << "barrier N=" << N;
    EXPECT_LT(certified_gap(p.H, c, b), 1e-8) << "dsdp N=" << N;
    EXPECT_NEAR(a.trace / b.trace, 1.0, 5e-7);
    for (int n = 0; n < N; ++n)
      EXPECT_NEAR(a.Lambda[n].trace().real(), b.Lambda[n].trace().real(), 1e-4 * b.dual_value / c[n]);
  }
}

TEST(Sdr, SingleDeviceClosedForm) {
  // N = 1, L = K: Q* = U diag(c / s_l^2) U^H, tr Q* = c sum_l 1 / s_l^2.
  const auto p = make_problem(1, 2, 8, 3);
  const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXcd>(p.H[0]).singularValues();
  const double c = 3 / p.power[0];
  const auto s = solve_sdr(p.H, {c});
  EXPECT_NEAR(s.trace / (c * sv.cwiseInverse().cwiseAbs2().sum()), 1.0, 1e-6);
  // Q* has rank L here, so the principal candidate attains the relaxation exactly
  // (alpha = tr Q*); the exact-alpha optimum sigma2 (sum_l 1/s_l)^2 / p (Cauchy-Schwarz below
  // it) is a floor that no design may beat.
  const auto d = design_sdr(p);
  EXPECT_LE(d.mse, d.sdr_bound * (1 + 1e-6));
  EXPECT_NEAR(d.sdr_bound / (p.sigma2 * 3 / p.power[0] * sv.cwiseInverse().cwiseAbs2().sum()), 1.0, 1e-6);
  const double exact_opt = p.sigma2 * std::pow(sv.cwiseInverse().sum(), 2) / p.power[0];
  EXPECT_GE(d.mse, exact_opt * (1 - 1e-9));
  EXPECT_LE(d.zf_lower_bound, exact_opt * (1 + 1e-6));
}

TEST(Sdr, DualTraceIsTheEnvelopeDerivative) {
  const auto p = make_problem(3, 3, 10, 2);
  std::vector<double> c = {0.7e9, 1.1e9, 0.9e9};
  const auto s = solve_sdr(p.H, c, 1e-7);
  double scale = 0;  // derivatives of inactive devices are ~0: compare against the largest
  for (int n = 0; n < 3; ++n) scale = std::max(scale, s.Lambda[n].trace().real());
  for (int n = 0; n < 3; ++n) {
    const double h = 1e-4 * c[n];
    auto up = c, dn = c;
    up[n] += h;
    dn[n] -= h;
    const double fd = (solve_sdr(p.H, up, 1e-11, SdpSolver::Dsdp).trace -
                       solve_sdr(p.H, dn, 1e-11, SdpSolver::Dsdp).trace) / (2 * h);
    EXPECT_NEAR(s.Lambda[n].trace().real(), fd, 2e-3 * scale) << "device " << n;
  }
  // design_sdr reports the same numbers for c_n = L / p_n.
  const auto d = design_sdr(p);
  const auto s2 = solve_sdr(p.H, {2 / p.power[0], 2 / p.power[1], 2 / p.power[2]});
  for (int n = 0; n < 3; ++n)
    EXPECT_NEAR(d.sdr_dual_trace[n] / s2.Lambda[n].trace().real(), 1.0, 1e-5);
}

// Single-antenna devices, 2 receive antennas: brute force over unit vectors
// a = (cos t, sin t e^{i f}) (global phase irrelevant) with the optimal scale
// alpha(a) = max_n 1 / (p_n |a^H h_n|^2); MSE = sigma2 alpha.
double brute_force_mse(const TransceiverProblem& p) {
  auto mse_at = [&](double t, double f) {
    Eigen::Vector2cd a(std::cos(t), std::polar(std::sin(t), f));
    double alpha = 0;
    for (int n = 0; n < p.n_devices(); ++n)
      alpha = std::max(alpha, 1.0 / (p.power[n] * std::norm(a.dot(p.H[n].col(0)))));
    return p.sigma2 * alpha;
  };
  double best = INFINITY, bt = 0, bf = 0;
  const int G = 400;
  for (int i = 0; i <= G; ++i)
    for (int j = 0; j < 2 * G; ++j) {
      const double t = std::numbers::pi / 2 * i / G, f = std::numbers::pi * j / G;
      const double v = mse_at(t, f);
      if (v < best) best = v, bt = t, bf = f;
    }
  // Pattern search around the best cell: recentre while it improves, else halve the step.
  // (The optimum sits on a kink of the max, a diagonal valley a fixed shrink can stall in.)
  double w = std::numbers::pi / G;
  for (int it = 0; it < 5000 && w > 1e-12; ++it) {
    bool improved = false;
    const double ct = bt, cf = bf;
    for (int i = -8; i <= 8; ++i)
      for (int j = -8; j <= 8; ++j) {
        const double t = std::clamp(ct + w * i / 8, 0.0, std::numbers::pi / 2), f = cf + w * j / 8;
        const double v = mse_at(t, f);
        if (v < best) best = v, bt = t, bf = f, improved = true;
      }
    if (!improved) w /= 2;
  }
  return best;
}

TEST(Sdr, MatchesBruteForceOnTinyInstances) {
  for (int N : {2, 3}) {
    double worst = 0;
    for (uint64_t b = 0; b < 10; ++b) {
      const auto p = make_problem(N, b, 2, 1, 40 + N);
      const double brute = brute_force_mse(p);
      const auto d = design_sdr(p);
      const double ratio = d.mse / brute;
      // The search converges to ~1e-5 on the kinked objective: beating it by more than 1e-3
      // would mean an infeasible design.
      EXPECT_GE(ratio, 1 - 1e-3) << "N=" << N << " block " << b << ": better than the global optimum?";
      if (N == 2) {
        EXPECT_LE(ratio, 1.01) << "block " << b;  // SDR is tight for 2 constraints
      }
      worst = std::max(worst, ratio);
      // The certificate bounds ZF designs; a non-ZF winner (refined equal power, misalignment
      // traded for noise) may beat it by a hair at this SNR, but not the brute force above.
      if (std::isfinite(d.alpha)) {
        EXPECT_LE(d.zf_lower_bound, d.mse * (1 + 1e-9));
      }
      TransceiverOptions paper;
      paper.paper_only = true;
      EXPECT_LE(d.zf_lower_bound, design_sdr(p, paper).mse * (1 + 1e-9));
      EXPECT_LE(d.zf_lower_bound, brute * (1 + 1e-9));
    }
    std::cout << "[ tiny M=2 K=L=1 N=" << N << " ] worst SDR / brute force = " << worst << "\n";
    if (N == 3) {
      EXPECT_LE(worst, 1.1);
    }
  }
}

TEST(Sdr, BeatsEveryBaselineOnAverageAndRespectsItsLowerBound) {
  // Paper default M = 20, K = L = 4, N = 4; 1000 independent channel blocks.
  const int runs = 1000, N = 4;
  double sum_sdr = 0, sum_mf = 0, sum_mmse = 0, sum_eq = 0, worst_lb = INFINITY, mean_lb = 0;
  double min_rel = INFINITY, max_rel = 0;
  int wins_all = 0;
  for (int b = 0; b < runs; ++b) {
    const auto p = make_problem(N, b, 20, 4, 99);
    const auto d = design_sdr(p);
    const double mf = design_matched_filter(p).mse, mm = design_mmse_zf(p).mse, eq = design_equal_power(p).mse;
    ASSERT_TRUE(std::isfinite(d.mse));
    ASSERT_EQ(d.n_dropped(), 0);
    EXPECT_LE(d.zf_lower_bound, d.mse * (1 + 1e-9)) << "block " << b;
    worst_lb = std::min(worst_lb, d.zf_lower_bound / d.mse);
    mean_lb += d.zf_lower_bound / d.mse / runs;
    min_rel = std::min(min_rel, d.mse / d.sdr_bound);
    max_rel = std::max(max_rel, d.mse / d.sdr_bound);
    sum_sdr += d.mse;
    sum_mf += mf;
    sum_mmse += mm;
    sum_eq += eq;
    wins_all += d.mse <= std::min({mf, mm, eq});
  }
  std::cout << "[ M=20 K=L=4 N=4, " << runs << " blocks ] mean MSE: sdr " << sum_sdr / runs << ", mf "
            << sum_mf / runs << ", mmse " << sum_mmse / runs << ", equal_power " << sum_eq / runs
            << "; sdr best in " << wins_all << " blocks; lower bound / MSE: mean " << mean_lb << ", worst "
            << worst_lb << "; MSE / sdr_bound in [" << min_rel << ", " << max_rel << "]\n";
  EXPECT_LT(sum_sdr, sum_mf);
  EXPECT_LT(sum_sdr, sum_mmse);
  EXPECT_LT(sum_sdr, sum_eq);
}

}  // namespace
}  // namespace airtp
