// Stochastic SCA: feasibility of every iterate, descent of the running objective, agreement with
// a brute-force grid search over the simplex on a small case, and gains over the baselines on
// the paper-heterogeneous scenario.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "assignment_fixture.h"
#include "opt/ssca.h"
#include "perfmodel/scenario_assignment.h"
#include "tp/plan.h"
#include "wireless/channel.h"

using namespace airtp;

namespace {
std::vector<ChannelRealization> fixed_samples(int count) {
  WirelessConfig w;
  w.n_rx_antennas = 4;
  w.n_tx_antennas = 2;
  w.n_streams = 2;
  w.distances_m = {20, 50, 80};
  w.tx_power_dbm = {20, 20, 20};
  w.seed = 9;
  const ChannelModel cm(w);
  std::vector<ChannelRealization> out;
  for (int b = 0; b < count; ++b) out.push_back(cm.realization(b));
  return out;
}

ShortTermSolver small_solver() {
  ShortTermSolver s;
  s.n_streams = 2;
  s.options.n_randomizations = 10;
  return s;
}

double sample_average(const AssignmentProblem& p, const std::vector<double>& m,
                      const std::vector<ChannelRealization>& chs, const ShortTermSolver& s) {
  return expected_mse(p, m, chs, s).mean;
}

struct GridResult {
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> arg;
};

// min over m = (x, y, 1 - x - y) on the lattice of step h within +-radius of `centre`.
GridResult grid_search(const AssignmentProblem& p, const std::vector<ChannelRealization>& chs,
                       const ShortTermSolver& s, const std::vector<double>& centre, double radius,
                       double h) {
  GridResult g;
  const int k = static_cast<int>(std::round(radius / h));
  for (int i = -k; i <= k; ++i)
    for (int j = -k; j <= k; ++j) {
      const double x = std::round((centre[0] + i * h) / h) * h;
      const double y = std::round((centre[1] + j * h) / h) * h;
      std::vector<double> m{x, y, 1 - x - y};
      if (!p.is_feasible(m, 1e-12)) continue;
      const double f = sample_average(p, m, chs, s);
      if (f < g.best) {
        g.best = f;
        g.arg = m;
      }
    }
  return g;
}
}  // namespace

TEST(Ssca, MatchesBruteForceGridOnSmallCase) {
  const AssignmentProblem p = test::three_device_problem();
  const auto chs = fixed_samples(8);
  const auto s = small_solver();

  SscaOptions o;
  o.solver = s;
  o.max_iterations = 300;
  o.min_iterations = 100;
  const SscaResult r = run_ssca(p, [&](int t) { return chs[t % chs.size()]; }, o);
  const double f_ssca = sample_average(p, r.shares, chs, s);

  // Coarse grid over the whole simplex, then a fine grid around its best point.
  GridResult coarse = grid_search(p, chs, s, {0.5, 0.5, 0}, 0.5, 0.05);
  GridResult fine = grid_search(p, chs, s, coarse.arg, 0.06, 0.01);
  const double f_uniform = sample_average(p, uniform_shares(p), chs, s);
  std::printf("ssca m = (%.4f %.4f %.4f) f = %.5g after %d iterations; grid m = (%.2f %.2f %.2f) "
              "f = %.5g; uniform f = %.5g\n",
              r.shares[0], r.shares[1], r.shares[2], f_ssca, r.iterations, fine.arg[0], fine.arg[1],
              fine.arg[2], fine.best, f_uniform);
  EXPECT_LE(f_ssca, 1.03 * fine.best);
  EXPECT_LT(fine.best, 0.97 * f_uniform);  // the case is not trivially solved by uniform shares
  for (int n = 0; n < 3; ++n) EXPECT_NEAR(r.shares[n], fine.arg[n], 0.05) << n;
  // paper.md T9: better channel / lower energy cost -> larger share.
  EXPECT_GT(r.shares[0], r.shares[2]);
  EXPECT_GT(r.shares[0], r.shares[1]);

  // Every iterate is feasible; the running objective goes down on average.
  ASSERT_EQ(static_cast<int>(r.trace.size()), r.iterations);
  for (const auto& it : r.trace) EXPECT_TRUE(p.is_feasible(it.m, 1e-9)) << p.violation(it.m);
  double first = 0, last = 0;
  const int w = 10;
  for (int t = 0; t < w; ++t) {
    first += r.trace[t].running_mse / w;
    last += r.trace[r.trace.size() - 1 - t].running_mse / w;
  }
  EXPECT_LT(last, first);
}

TEST(Ssca, IteratesRespectTightBounds) {
  AssignmentProblem p = test::three_device_problem();
  p.max_share = {0.45, 1, 1};  // e.g. device 0's memory
  p.min_share = {0, 0.1, 0};
  const auto chs = fixed_samples(4);
  SscaOptions o;
  o.solver = small_solver();
  o.max_iterations = 60;
  o.min_iterations = 60;
  o.initial = {0.9, 0.05, 0.05};  // infeasible start: projected
  const SscaResult r = run_ssca(p, [&](int t) { return chs[t % chs.size()]; }, o);
  for (const auto& it : r.trace) EXPECT_TRUE(p.is_feasible(it.m, 1e-9)) << p.violation(it.m);
  EXPECT_TRUE(p.is_feasible(r.shares, 1e-12));
  EXPECT_LE(r.shares[0], 0.45 + 1e-12);
  EXPECT_GE(r.shares[1], 0.1 - 1e-12);
}

TEST(Ssca, RejectsBadOptions) {
  const AssignmentProblem p = test::three_device_problem();
  const auto chs = fixed_samples(1);
  auto sampler = [&](int) { return chs[0]; };
  SscaOptions o;
  o.gamma_exponent = 0.5;  // must exceed rho_exponent
  EXPECT_THROW(run_ssca(p, sampler, o), std::invalid_argument);
  o = SscaOptions{};
  o.initial = {0.5, 0.5};
  EXPECT_THROW(run_ssca(p, sampler, o), std::invalid_argument);
  o = SscaOptions{};
  o.gradient = GradientMethod::SdrDual;
  o.solver.method = TransceiverMethod::MatchedFilter;  // no duals
  o.solver.n_streams = 2;
  EXPECT_THROW(run_ssca(p, sampler, o), std::invalid_argument);
}

TEST(Ssca, BeatsBaselinesOnPaperHeterogeneous) {
  const Scenario s = scenario_preset("paper-heterogeneous");
  AssignOptions o;
  o.ssca.max_iterations = 60;
  o.ssca.min_iterations = 60;
  o.ssca.solver.options.n_randomizations = 10;
  o.eval_samples = 12;
  const AssignmentOutcome opt = assign_model(s, o);
  o.method = AssignMethod::Uniform;
  const AssignmentOutcome uni = assign_model(s, o);
  o.method = AssignMethod::ComputeProportional;
  const AssignmentOutcome cmp = assign_model(s, o);
  std::printf("paper-heterogeneous E[MSE]: ssca %.4g, uniform %.4g, compute-proportional %.4g\n",
              opt.mse.mean, uni.mse.mean, cmp.mse.mean);
  // Same evaluation blocks for all three (common random numbers).
  EXPECT_LT(opt.mse.mean, 0.95 * uni.mse.mean);
  EXPECT_LT(opt.mse.mean, 0.95 * cmp.mse.mean);
  const AssignmentProblem p = assignment_problem(s);
  for (const auto* a : {&opt, &uni, &cmp}) EXPECT_TRUE(p.is_feasible(a->shares, 1e-9));

  // The JSON is what `--shares-from` reads (tp/plan.h).
  const nlohmann::json j = assignment_to_json(s, opt);
  EXPECT_EQ(j.at("method"), "ssca");
  EXPECT_EQ(j.at("ssca").at("trace").size(), 60u);
  EXPECT_NEAR(j.at("latency").at("total_ms").get<double>(),
              j.at("latency").at("compute_ms").get<double>() + j.at("latency").at("comm_ms").get<double>(),
              1e-9);
  const auto path = std::filesystem::temp_directory_path() / "airtp_test_assignment.json";
  write_assignment_json(path.string(), j);
  const auto shares = read_shares_file(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(shares.size(), 4u);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(shares[n], opt.shares[n], 1e-12);
}
