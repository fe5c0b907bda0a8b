// Assignment problem: energy coupling by hand, feasibility, baselines, and the two MSE
// gradients against finite differences.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <vector>

#include "opt/assignment.h"
#include "wireless/channel.h"

using namespace airtp;

namespace {
// 3 devices: e s = 1e-5, 2e-5, 1e-5 J; budgets leave 0.1 W x 100 us at uniform shares.
AssignmentProblem small_problem() {
  AssignmentProblem p;
  p.layer_params = 1e8;
  p.tx_seconds = 1e-4;
  p.energy_per_param = {1e-13, 2e-13, 1e-13};
  for (double e : p.energy_per_param) p.energy_budget.push_back(e * 1e8 / 3 + 0.1 * 1e-4);
  return p;
}

WirelessConfig small_radio(int m_rx = 6, int k = 2) {
  WirelessConfig w;
  w.n_rx_antennas = m_rx;
  w.n_tx_antennas = k;
  w.n_streams = k;
  w.distances_m = {20, 50, 80};
  w.tx_power_dbm = {20, 20, 20};
  w.seed = 5;
  return w;
}

ShortTermSolver solver(int L = 2) {
  ShortTermSolver s;
  s.n_streams = L;
  s.options.n_randomizations = 10;
  s.options.sdp_gap_tolerance = 1e-9;
  return s;
}
}  // namespace

TEST(AssignmentProblem, EnergyCouplingByHand) {
  const AssignmentProblem p = small_problem();
  p.validate();
  // p_n = (P_n - e_n s m_n) / T: device 0 with m = 0.5: (1e-5/3 + 1e-5 - 0.5e-5) / 1e-4.
  const std::vector<double> m{0.5, 0.25, 0.25};
  const auto power = p.tx_power(m);
  EXPECT_NEAR(power[0], (1e-5 / 3 + 1e-5 - 0.5e-5) / 1e-4, 1e-15);
  EXPECT_NEAR(power[1], (2e-5 / 3 + 1e-5 - 0.5e-5) / 1e-4, 1e-15);
  // Uniform shares leave exactly 0.1 W.
  for (double x : p.tx_power(std::vector<double>(3, 1.0 / 3))) EXPECT_NEAR(x, 0.1, 1e-12);
  EXPECT_NEAR(p.tx_power_slope()[1], -2e-5 / 1e-4, 1e-15);
  // Energy bound: (1 - 1e-3) P / (e s): device 1: (1/3 + 0.5) x 0.999.
  const auto hi = p.upper_bounds();
  EXPECT_NEAR(hi[1], 0.999 * (1.0 / 3 + 0.5), 1e-15);
  EXPECT_DOUBLE_EQ(hi[0], 1.0);  // clipped
  EXPECT_TRUE(p.is_feasible(m));
  EXPECT_FALSE(p.is_feasible(std::vector<double>{0.1, 0.85, 0.05}));
  EXPECT_NE(p.violation(std::vector<double>{0.1, 0.85, 0.05}).find("m[1]"), std::string::npos);
  EXPECT_NE(p.violation(std::vector<double>{0.5, 0.5, 0.5}).find("sum"), std::string::npos);
  EXPECT_THROW(p.tx_power(std::vector<double>{0, 1, 0}), std::invalid_argument);  // no energy left
}

TEST(AssignmentProblem, InfeasibleProblemsAreExplained) {
  AssignmentProblem p = small_problem();
  p.max_share = {0.2, 0.2, 0.2};
  try {
    p.validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no feasible assignment"), std::string::npos) << e.what();
  }
  p = small_problem();
  p.energy_budget[0] = -1;
  EXPECT_THROW(p.validate(), std::invalid_argument);
  p = small_problem();
  p.energy_per_param.pop_back();
  EXPECT_THROW(p.validate(), std::invalid_argument);
}

TEST(AssignmentProblem, BaselinesAreFeasible) {
  AssignmentProblem p = small_problem();
  const auto u = uniform_shares(p);
  for (double x : u) EXPECT_NEAR(x, 1.0 / 3, 1e-15);
  // Proportional to (1, 10, 1) asks 0.833 of device 1 > its energy bound 0.8325: projected.
  const auto m = proportional_shares(p, std::vector<double>{1, 10, 1});
  EXPECT_TRUE(p.is_feasible(m, 1e-12)) << p.violation(m);
  EXPECT_NEAR(m[1], p.upper_bounds()[1], 1e-12);
  EXPECT_NEAR(m[0], m[2], 1e-12);
  // A memory limit below the uniform share is respected too.
  p.max_share = {0.1, 1, 1};
  const auto u2 = uniform_shares(p);
  EXPECT_TRUE(p.is_feasible(u2, 1e-12));
  EXPECT_NEAR(u2[0], 0.1, 1e-12);
  EXPECT_THROW(proportional_shares(p, std::vector<double>{0, 0, 0}), std::invalid_argument);
}

TEST(AssignmentGradient, DualMatchesFiniteDifferencesOfSdrValue) {
  // Envelope theorem: d(sigma^2 tr Q*)/dm_n from the SDP duals equals the derivative of the SDR
  // value itself (re-solved at m +- h e_n). DSDP's value is only accurate to ~1e-5 relative, so
  // the step is large (the value is smooth in p_n, curvature error ~h^2) and the absolute
  // tolerance covers that noise.
  const AssignmentProblem p = small_problem();
  const ChannelModel cm(small_radio());
  const auto s = solver();
  const std::vector<double> m{0.4, 0.3, 0.3};
  for (uint64_t b = 0; b < 3; ++b) {
    const auto ch = cm.realization(b);
    const auto ev = evaluate_sample(p, m, ch, s, GradientMethod::SdrDual);
    ASSERT_EQ(ev.n_dropped, 0);
    ASSERT_TRUE(std::isfinite(ev.sdr_bound));
    for (int n = 0; n < 3; ++n) {
      const double h = 0.01;
      auto mp = m, mm = m;
      mp[n] += h;
      mm[n] -= h;
      const double fd = (evaluate_sample(p, mp, ch, s, GradientMethod::SdrDual).sdr_bound -
                         evaluate_sample(p, mm, ch, s, GradientMethod::SdrDual).sdr_bound) / (2 * h);
      EXPECT_NEAR(ev.gradient[n], fd, 0.03 * std::abs(fd) + 5e-3 * ev.sdr_bound)
          << "block " << b << " device " << n;
      EXPECT_GE(ev.gradient[n], -1e-12 * ev.sdr_bound);  // more compute, less power: MSE up
    }
  }
}

TEST(AssignmentGradient, FixedDirectionMatchesFiniteDifferences) {
  // With the receive direction G of the design at m held fixed, MSE(m') = sigma^2 max_n
  // c_n / p_n(m'), c_n = tr((G^H H_n H_n^H G)^-1) computed here from the design's A.
  const AssignmentProblem p = small_problem();
  const ChannelModel cm(small_radio());
  const auto s = solver();
  const std::vector<double> m{0.3, 0.3, 0.4};
  const auto ch = cm.realization(7);
  const auto power = p.tx_power(m);
  const auto d = design_transceiver(transceiver_problem(ch, power, 2), s.method, s.options);
  ASSERT_EQ(d.n_dropped(), 0);
  const Eigen::MatrixXcd G = d.A / d.A.norm();
  std::vector<double> c;
  for (const auto& H : ch.H) {
    const Eigen::MatrixXcd X = G.adjoint() * H * H.adjoint() * G;
    c.push_back(X.inverse().trace().real());
  }
  auto f = [&](const std::vector<double>& mm) {
    const auto pw = p.tx_power(mm);
    double worst = 0;
    for (int n = 0; n < 3; ++n) worst = std::max(worst, c[n] / pw[n]);
    return ch.noise_power_w * worst;
  };
  EXPECT_NEAR(f(m), d.mse, 1e-6 * d.mse);  // ZF: the exact MSE is sigma^2 alpha
  const auto ev = evaluate_sample(p, m, ch, s, GradientMethod::FixedDirection);
  for (int n = 0; n < 3; ++n) {
    const double h = 1e-6;
    auto mp = m, mm = m;
    mp[n] += h;
    mm[n] -= h;
    const double fd = (f(mp) - f(mm)) / (2 * h);
    EXPECT_NEAR(ev.gradient[n], fd, 1e-5 * std::abs(fd) + 1e-9 * d.mse) << n;
  }
}

TEST(AssignmentGradient, ExpectedMseAveragesSamples) {
  const AssignmentProblem p = small_problem();
  const ChannelModel cm(small_radio());
  const auto s = solver();
  std::vector<ChannelRealization> chs{cm.realization(0), cm.realization(1), cm.realization(2)};
  const std::vector<double> m(3, 1.0 / 3);
  const auto e = expected_mse(p, m, chs, s);
  double sum = 0;
  for (const auto& ch : chs)
    sum += design_transceiver(transceiver_problem(ch, p.tx_power(m), 2), s.method, s.options).mse;
  EXPECT_NEAR(e.mean, sum / 3, 1e-12 * sum);
  EXPECT_EQ(e.per_sample.size(), 3u);
  EXPECT_GT(e.std_error, 0);
  // sigma2 tr Q* is not a lower bound (the refined design lands below it); the design is never
  // worse than the paper's method on the same channels.
  double paper = 0;
  for (const auto& ch : chs)
    paper += design_transceiver(transceiver_problem(ch, p.tx_power(m), 2), TransceiverMethod::SdrPaper, s.options).mse;
  EXPECT_LE(e.mean, paper / 3 * (1 + 1e-12));
  EXPECT_GT(e.mean_sdr_bound, 0);
  EXPECT_THROW(expected_mse(p, m, std::vector<ChannelRealization>{}, s), std::invalid_argument);
}
