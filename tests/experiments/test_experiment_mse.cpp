// MSE experiments at smoke sizes: the orderings the paper claims and scaling laws that hold
// independently of the implementation (ZF MSE ~ 1/P, quantization error from order statistics).
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/mse/mse_experiments.h"

using namespace airtp;

namespace {

const MethodSummary& of(const MsePoint& p, TransceiverMethod m) {
  for (const auto& s : p.study.methods)
    if (s.method == m) return s;
  throw std::logic_error("method missing");
}

MseSweepParams smoke(MseAxis axis, std::vector<double> values) {
  MseSweepParams p;
  p.axis = axis;
  p.values = std::move(values);
  p.realizations = 4;
  p.randomizations = 10;
  return p;
}

}  // namespace

// Block-32 absmax 8-bit quantization of N(0,1) values: every value but the block maximum (which
// is represented exactly) has a rounding error uniform on +-d/2, d = max|x| / 127. So
// NMSE = (31/32) E[M^2] / (12 * 127^2), M = max of 32 |N(0,1)|, whose second moment is
// E[M^2] = int_0^inf 2x (1 - erf(x/sqrt 2)^32) dx, integrated here numerically.
TEST(ExperimentMse, DigitalQuantizationMatchesOrderStatistics) {
  double em2 = 0;
  const double h = 1e-4;
  for (double x = h / 2; x < 12; x += h) em2 += 2 * x * (1 - std::pow(std::erf(x / std::sqrt(2.0)), 32)) * h;
  const double expected = 31.0 / 32.0 * em2 / (12.0 * 127 * 127);
  const double measured = digital_quantization_nmse(8);
  EXPECT_NEAR(measured / expected, 1.0, 0.03) << measured << " vs " << expected;
  // 4 bits: step 127/7 times larger -> ~25 dB worse.
  EXPECT_GT(10 * std::log10(digital_quantization_nmse(4) / measured), 20);
  EXPECT_THROW(digital_quantization_nmse(1), std::invalid_argument);
}

TEST(ExperimentMse, SdrBelowEveryBaselineAndZfScalesAsOneOverPower) {
  const auto r = run_mse_sweep(smoke(MseAxis::TxPower, {0, 20}));
  ASSERT_EQ(r.points.size(), 2u);
  for (const auto& pt : r.points) {
    SCOPED_TRACE(pt.x);
    const double sdr = of(pt, TransceiverMethod::Sdr).mean_mse;
    for (auto m : {TransceiverMethod::MmseZf, TransceiverMethod::MatchedFilter, TransceiverMethod::EqualPower})
      EXPECT_LT(sdr, of(pt, m).mean_mse) << to_string(m);
  }
  // Zero-forcing with a receive direction that does not depend on the power (matched filter;
  // SDR, whose SDP solution scales by 1/p): MSE = sigma^2 max_n c_n / p, so 20 dB more power
  // gives exactly 100x less MSE when no device is dropped.
  for (auto m : {TransceiverMethod::MatchedFilter, TransceiverMethod::Sdr}) {
    const auto& lo = of(r.points[0], m);
    const auto& hi = of(r.points[1], m);
    ASSERT_EQ(lo.mean_dropped + hi.mean_dropped, 0) << to_string(m);
    EXPECT_NEAR(lo.mean_mse / hi.mean_mse, 100.0, 0.1) << to_string(m);
  }
  ASSERT_EQ(r.digital.size(), 1u);
  EXPECT_EQ(r.digital[0].bits, 8);
  // NMSE normalisation: MSE per channel use over N devices x L streams.
  EXPECT_DOUBLE_EQ(aircomp_nmse(8.0, 4, 2), 1.0);
}

TEST(ExperimentMse, MoreReceiveAntennasLowerTheMse) {
  auto p = smoke(MseAxis::RxAntennas, {8, 20});
  p.methods = {TransceiverMethod::Sdr};
  const auto r = run_mse_sweep(p);
  EXPECT_EQ(r.points[0].rx_antennas, 8);
  EXPECT_LT(of(r.points[1], TransceiverMethod::Sdr).mean_mse, of(r.points[0], TransceiverMethod::Sdr).mean_mse);
}

TEST(ExperimentMse, BadParametersAreNamed) {
  auto p = smoke(MseAxis::RxAntennas, {2});  // M = 2 < L = 4 streams
  EXPECT_THROW(run_mse_sweep(p), std::invalid_argument);
  p = smoke(MseAxis::Devices, {2.5});
  try {
    run_mse_sweep(p);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("devices"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run_mse_sweep(smoke(MseAxis::TxPower, {})), std::invalid_argument);
}

TEST(ExperimentMse, SpecWritesTableAndFigure) {
  const auto& spec = find_experiment("mse-devices");
  const auto params = overlay_params(spec.defaults, spec.smoke, "--smoke");
  const auto out = spec.run(params, {});
  ASSERT_EQ(out.tables.size(), 1u);
  const Table& t = out.tables[0].second;
  EXPECT_EQ(t.rows().size(), 2u);
  EXPECT_DOUBLE_EQ(t.number(1, "devices"), 4);
  // The dB columns are 10 log10 of the linear ones.
  EXPECT_NEAR(t.number(1, "sdr_mse_db"), 10 * std::log10(t.number(1, "sdr_mse")), 1e-9);
  EXPECT_NEAR(t.number(1, "sdr_nmse_db"), 10 * std::log10(t.number(1, "sdr_mse") / (4 * 4)), 1e-9);
  ASSERT_EQ(out.figures.size(), 1u);
  EXPECT_NE(out.figures[0].body.find("sdr_nmse_db"), std::string::npos);
  EXPECT_GT(out.results["sdr_gain_over_baseline"]["mmse"]["mean_db"].get<double>(), 0);
}
