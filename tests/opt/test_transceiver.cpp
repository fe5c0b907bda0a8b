// Zero-forcing machinery, exact MSE, power feasibility, baselines and degenerate inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "../expect_invalid.h"
#include "opt/baselines.h"
#include "opt/sdp.h"
#include "opt/transceiver.h"
#include "wireless/aircomp_signal.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

TransceiverProblem paper_problem(int N, uint64_t block, int M = 20, int K = 4, int L = 4, uint64_t seed = 7) {
  auto cfg = default_wireless_config(N, seed);
  cfg.n_rx_antennas = M;
  cfg.n_tx_antennas = K;
  cfg.n_streams = L;
  const auto r = ChannelModel(cfg).realization(block);
  TransceiverProblem p;
  p.H = r.H;
  p.sigma2 = r.noise_power_w;
  for (int n = 0; n < N; ++n) p.power.push_back(cfg.tx_power_w(n) * (1.0 + 0.5 * n));  // unequal budgets
  p.n_streams = L;
  return p;
}

using test::expect_invalid;

TEST(ZeroForcing, PrecoderInvertsTheEffectiveChannel) {
  const auto p = paper_problem(3, 0, 20, 4, 3);  // L < K too
  WirelessRng rng(3);
  Eigen::MatrixXcd A(20, 3);
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 20; ++i) A(i, j) = rng.complex_normal(1e8);
  for (const auto& H : p.H) {
    const Eigen::MatrixXcd B = zf_precoder(A, H);
    EXPECT_LT((A.adjoint() * H * B - Eigen::MatrixXcd::Identity(3, 3)).norm(), 1e-9);
    // Lemma 1 closed form by explicit inverse: tr(B B^H) = tr((A^H H H^H A)^-1), and
    // c(G) is scale-covariant: c(G) = ||G||^-2 c(G/||G||).
    const Eigen::MatrixXcd X = A.adjoint() * H * H.adjoint() * A;
    EXPECT_NEAR(B.squaredNorm() / X.inverse().trace().real(), 1.0, 1e-9);
    EXPECT_NEAR(zf_trace_inverse(A, H) / B.squaredNorm(), 1.0, 1e-9);
    // Minimum-norm solution: B is in the row space of (A^H H), i.e. B = (A^H H)^H Y.
    const Eigen::MatrixXcd C = A.adjoint() * H;
    EXPECT_LT((B - C.adjoint() * (C * C.adjoint()).inverse()).norm() / B.norm(), 1e-9);
  }
}

TEST(ZeroForcing, DesignFromDirectionMeetsBudgetsExactly) {
  const auto p = paper_problem(4, 1);
  WirelessRng rng(4);
  Eigen::MatrixXcd G(20, 4);
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 20; ++i) G(i, j) = rng.complex_normal();
  const auto d = zf_design_from_direction(p, 3.7 * G, {}, "test");
  double worst = 0;
  for (int n = 0; n < 4; ++n) {
    const double used = d.B[n].squaredNorm();
    EXPECT_LE(used, p.power[n] * (1 + 1e-9)) << "device " << n;
    EXPECT_NEAR(d.tx_power[n], used, 1e-12 * used);
    worst = std::max(worst, used / p.power[n]);
  }
  EXPECT_NEAR(worst, 1.0, 1e-9);  // the binding device spends its whole budget
  // alpha = max_n c_n / p_n with c_n from explicit inverses of the normalised direction.
  const Eigen::MatrixXcd Gn = G / G.norm();
  double alpha = 0;
  for (int n = 0; n < 4; ++n)
    alpha = std::max(alpha, (Gn.adjoint() * p.H[n] * p.H[n].adjoint() * Gn).inverse().trace().real() / p.power[n]);
  EXPECT_NEAR(d.alpha / alpha, 1.0, 1e-9);
  EXPECT_NEAR(zf_alpha(G, p) / alpha, 1.0, 1e-9);
  EXPECT_NEAR(d.mse / (p.sigma2 * alpha), 1.0, 1e-9);
  EXPECT_LT(d.misalignment, 1e-15);
}

TEST(Mse, FormulaMatchesMonteCarloOfTheSignalModel) {
  const auto p = paper_problem(4, 2);
  for (TransceiverMethod m : {TransceiverMethod::Sdr, TransceiverMethod::EqualPower}) {
    const auto d = design_transceiver(p, m);
    EXPECT_NEAR(aircomp_mse(d.A, d.B, p.H, p.sigma2) / d.mse, 1.0, 1e-12);
    const int T = 30000, L = 4;  // 1.2e5 symbols per device
    WirelessRng rng(21);
    std::vector<Eigen::MatrixXcd> S(4, Eigen::MatrixXcd(L, T));
    Eigen::MatrixXcd target = Eigen::MatrixXcd::Zero(L, T);
    for (auto& s : S) {
      for (int t = 0; t < T; ++t)
        for (int l = 0; l < L; ++l) s(l, t) = rng.complex_normal();
      target += s;
    }
    const double mc = (simulate_aircomp(p.H, d.B, d.A, S, p.sigma2, rng) - target).squaredNorm() / T;
    EXPECT_NEAR(mc / d.mse, 1.0, 0.02) << to_string(m) << ": formula " << d.mse << " MC " << mc;
  }
}

TEST(Baselines, ZeroForcingBaselinesAreAlignedAndEqualPowerIsLmmse) {
  const auto p = paper_problem(4, 3);
  for (const auto& d : {design_matched_filter(p), design_mmse_zf(p)}) {
    EXPECT_LT(d.misalignment, 1e-15) << d.method;
    EXPECT_NEAR(d.mse / (p.sigma2 * d.alpha), 1.0, 1e-9) << d.method;
    for (int n = 0; n < 4; ++n) EXPECT_LE(d.tx_power[n], p.power[n] * (1 + 1e-9));
  }
  const auto eq = design_equal_power(p);
  EXPECT_EQ(eq.method, "equal_power");
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(eq.tx_power[n] / p.power[n], 1.0, 1e-12);
  EXPECT_GT(eq.misalignment, 0.0);
  // The MSE is a convex quadratic in A; at the LMMSE receiver every direction goes uphill.
  WirelessRng rng(8);
  for (int k = 0; k < 10; ++k) {
    Eigen::MatrixXcd E(20, 4);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 20; ++i) E(i, j) = rng.complex_normal();
    E *= 1e-3 * eq.A.norm() / E.norm();
    EXPECT_GE(aircomp_mse(eq.A + E, eq.B, p.H, p.sigma2), eq.mse);
    EXPECT_GE(aircomp_mse(eq.A - E, eq.B, p.H, p.sigma2), eq.mse);
  }
}

TEST(Degenerate, BadProblemsThrowWithClearMessages) {
  const auto good = paper_problem(2, 4, 6, 2, 2);
  auto with = [&](auto edit) {
    auto p = good;
    edit(p);
    return [p] { design_sdr(p); };
  };
  expect_invalid(with([](TransceiverProblem& p) { p.power[1] = 0; }), "power[1] = 0");
  expect_invalid(with([](TransceiverProblem& p) { p.power[0] = -1; }), "power[0] = -1");
  expect_invalid(with([](TransceiverProblem& p) { p.power.pop_back(); }), "1 power budgets for 2 devices");
  expect_invalid(with([](TransceiverProblem& p) { p.sigma2 = 0; }), "sigma2");
  expect_invalid(with([](TransceiverProblem& p) { p.sigma2 = NAN; }), "sigma2");
  expect_invalid(with([](TransceiverProblem& p) { p.n_streams = 3; }), "exceeds the device antennas K = 2");
  expect_invalid(with([](TransceiverProblem& p) { p.n_streams = 0; }), "n_streams");
  expect_invalid(with([](TransceiverProblem& p) { p.H[1](0, 0) = NAN; }), "H[1] has NaN");
  expect_invalid(with([](TransceiverProblem& p) { p.H[0].setZero(); }), "device 0: channel is all zero");
  expect_invalid(with([](TransceiverProblem& p) { p.H[1].col(1) = p.H[1].col(0); }), "device 1: channel is rank deficient");
  expect_invalid(with([](TransceiverProblem& p) { p.H.clear(); p.power.clear(); }), "no devices");
  expect_invalid(with([](TransceiverProblem& p) { p.H[1] = Eigen::MatrixXcd::Ones(5, 2); }), "H[1] is 5x2");
  // M < L: a 1-antenna server cannot separate 2 streams.
  expect_invalid(with([](TransceiverProblem& p) { for (auto& h : p.H) h = h.topRows(1).eval(); }),
                 "exceeds the receive antennas M = 1");
  TransceiverOptions bad;
  bad.n_randomizations = -1;
  expect_invalid([&] { design_sdr(good, bad); }, "randomizations -1 is outside 0..10000");
  expect_invalid([] { parse_transceiver_method("best"); }, "sdr, mf, mmse, equal_power, sdr_paper");
  for (auto m : {TransceiverMethod::MatchedFilter, TransceiverMethod::MmseZf, TransceiverMethod::EqualPower}) {
    auto p = good;
    p.power[0] = 0;
    EXPECT_THROW(design_transceiver(p, m), std::invalid_argument) << to_string(m);
  }
}

TEST(Degenerate, RankDeficientDeviceCanBeDroppedOnRequest) {
  auto p = paper_problem(3, 5, 6, 2, 2);
  p.H[2].col(1) = 2.0 * p.H[2].col(0);
  TransceiverOptions opt;
  opt.drop_rank_deficient = true;
  // (Sdr may serve the device with a non-ZF candidate instead; it is never worse than these.)
  EXPECT_LE(design_transceiver(p, TransceiverMethod::Sdr, opt).mse,
            design_transceiver(p, TransceiverMethod::SdrPaper, opt).mse * (1 + 1e-12));
  for (auto m : {TransceiverMethod::SdrPaper, TransceiverMethod::MatchedFilter, TransceiverMethod::MmseZf}) {
    const auto d = design_transceiver(p, m, opt);
    EXPECT_TRUE(d.dropped[2]) << to_string(m);
    EXPECT_FALSE(d.dropped[0]);
    EXPECT_EQ(d.B[2].norm(), 0.0);
    EXPECT_NEAR(d.misalignment, 2.0, 1e-9);  // ||0 - I_2||^2: the lost signal
    EXPECT_NEAR(d.mse, aircomp_mse(d.A, d.B, p.H, p.sigma2), 1e-12 * d.mse);
  }
}

TEST(Degenerate, DeepFadeIsDroppedNeverNaN) {
  auto p = paper_problem(3, 6);
  auto faded = p;
  faded.H[1] *= 1e-7;  // 140 dB weaker than its neighbours
  const auto d = design_sdr(faded);
  EXPECT_TRUE(d.dropped[1]);
  EXPECT_EQ(d.n_dropped(), 1);
  ASSERT_TRUE(std::isfinite(d.mse));
  // Same as serving the other two alone, plus the L = 4 of the lost device.
  TransceiverProblem rest = p;
  rest.H.erase(rest.H.begin() + 1);
  rest.power.erase(rest.power.begin() + 1);
  const auto r = design_sdr(rest);
  EXPECT_NEAR(d.mse, r.mse + 4.0, 1e-9 * d.mse);

  TransceiverOptions keep;
  keep.drop_solo_mse = 0;  // never drop: the weak device dominates but nothing overflows
  keep.paper_only = true;  // (ZF only: inverting the faded channel)
  const auto k = design_sdr(faded, keep);
  EXPECT_EQ(k.n_dropped(), 0);
  EXPECT_TRUE(std::isfinite(k.mse));
  EXPECT_GT(k.mse, 1e6);
  EXPECT_LT(k.misalignment, 1e-9 * k.mse);
  // Beyond the paper a non-ZF candidate serves the faded device without inverting its
  // channel: about the L = 4 of losing it, never the 1e6 of inverting it.
  keep.paper_only = false;
  const auto k2 = design_sdr(faded, keep);
  EXPECT_LT(k2.mse, 5.0);
  EXPECT_NEAR(k2.mse, aircomp_mse(k2.A, k2.B, faded.H, faded.sigma2), 1e-9 * k2.mse);

  // Everybody in a deep fade: the paper's design sends nothing, the estimate is 0, MSE = N L;
  // the design may gain a hair over that by sending anyway.
  auto all = p;
  for (auto& h : all.H) h *= 1e-9;
  TransceiverOptions paper;
  paper.paper_only = true;
  const auto z = design_sdr(all, paper);
  EXPECT_EQ(z.n_dropped(), 3);
  EXPECT_DOUBLE_EQ(z.mse, 12.0);
  const auto z2 = design_sdr(all);
  EXPECT_LE(z2.mse, 12.0);
  EXPECT_GE(z2.mse, 12.0 * (1 - 1e-6));
}

TEST(Determinism, SameSeedSameDesign) {
  const auto p = paper_problem(4, 9);
  TransceiverOptions o;
  o.seed = 5;
  const auto a = design_sdr(p, o), b = design_sdr(p, o);
  EXPECT_EQ((a.A - b.A).norm(), 0.0);
  EXPECT_EQ(a.mse, b.mse);
  o.paper_only = true;
  const auto a2 = design_sdr(p, o);
  o.n_randomizations = 0;  // principal candidate only: still a valid design, never better
  const auto c = design_sdr(p, o);
  EXPECT_GE(c.mse, a2.mse * (1 - 1e-12));
  EXPECT_LE(a.mse, a2.mse * (1 + 1e-12));  // selection + refinement never lose to the paper's
}

}  // namespace
}  // namespace airtp
