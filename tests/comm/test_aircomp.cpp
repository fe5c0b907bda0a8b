// The over-the-air all-reduce: the error that reaches the activations must be what the
// transceiver design predicts, and the distributed run of the signal chain (split at the air by
// a transport sum) must agree with its one-process form (wireless/aircomp_signal.h).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "comm/aircomp/aircomp.h"
#include "wireless/aircomp_signal.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

LinkConfig link(int n, double tx_dbm) {
  LinkConfig l;
  l.radio = default_wireless_config(n, 5, tx_dbm);
  return l;
}

AirCompOptions options(TransceiverMethod method) {
  AirCompOptions o;
  o.method = method;
  o.design.n_randomizations = 20;
  return o;
}

// Every call in its own channel block, as a run with one all-reduce per coherence time.
SyncContext call(uint64_t i) { return {.index = i, .block = i}; }

TEST(AirCompAllReduce, ErrorMatchesDesignMse) {
  const int n = 3;
  const size_t D = 4096;  // a multiple of 2L: no padding symbols
  for (auto method : {TransceiverMethod::Sdr, TransceiverMethod::MmseZf}) {
    auto t = make_inprocess_transport(n);
    auto ar = make_aircomp_allreduce(*t, link(n, 10.0), options(method));
    std::mt19937_64 rng(1);
    std::normal_distribution<float> g(0.0f, 1.0f);
    double measured = 0, predicted = 0;
    for (int c = 0; c < 40; ++c) {
      std::vector<std::vector<float>> p(n, std::vector<float>(D));
      std::vector<std::span<float>> s;
      double max_var = 0;
      for (auto& v : p) {
        const float scale = 0.5f + static_cast<float>(c % 3);
        for (auto& x : v) x = scale * g(rng);
        double m = 0, q = 0;
        for (float x : v) m += x;
        m /= D;
        for (float x : v) q += (x - m) * (x - m);
        max_var = std::max(max_var, q / D);
        s.emplace_back(v);
      }
      const double before_err = ar->stats().err_sq;
      const double before_mse = scheme_stat(ar->scheme_stats(), "design_mse_sum");
      ar->reduce(s, call(static_cast<uint64_t>(c)));
      measured += ar->stats().err_sq - before_err;
      // E||error||^2 = v^2 * T * MSE_per_channel_use, v^2 = 2 max var, T = D / (2L).
      predicted += 2 * max_var * (D / 8.0) * (scheme_stat(ar->scheme_stats(), "design_mse_sum") - before_mse);
    }
    EXPECT_NEAR(measured / predicted, 1.0, 0.05) << to_string(method);
    EXPECT_EQ(scheme_stat(ar->scheme_stats(), "designs"), 40);
    EXPECT_EQ(scheme_stat(ar->scheme_stats(), "channel_uses"), 40.0 * D / 8);
  }
}

TEST(AirCompAllReduce, AgreesWithTheSignalModelSimulator) {
  // Same channel and design through both code paths; with high power the noise is negligible
  // and both must return the exact sum to within the noise scale.
  const int n = 4;
  const size_t D = 1000;
  const LinkConfig lk = link(n, 40.0);
  const AirCompOptions opt = options(TransceiverMethod::Sdr);
  auto t = make_inprocess_transport(n);
  auto ar = make_aircomp_allreduce(*t, lk, opt);
  std::mt19937_64 rng(2);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::vector<float>> p(n, std::vector<float>(D));
  std::vector<double> exact(D, 0.0);
  for (auto& v : p)
    for (size_t i = 0; i < D; ++i) exact[i] += v[i] = g(rng) + 0.3f;
  std::vector<std::span<const float>> in(p.begin(), p.end());

  ChannelModel ch(lk.radio);
  const auto real = ch.realization(0);
  TransceiverProblem prob{real.H, real.noise_power_w, {}, lk.radio.n_streams};
  for (int d = 0; d < n; ++d) prob.power.push_back(lk.radio.tx_power_w(d));
  TransceiverOptions to = opt.design;
  to.seed = opt.design.seed;
  const auto design = design_transceiver(prob, opt.method, to);
  WirelessRng noise(99);
  const auto other = aircomp_sum(in, real.H, design.B, design.A, real.noise_power_w, noise);

  std::vector<std::span<float>> s(p.begin(), p.end());
  ar->reduce(s, call(0));
  double e1 = 0, e2 = 0, ref = 0;
  for (size_t i = 0; i < D; ++i) {
    e1 += std::pow(p[0][i] - exact[i], 2);
    e2 += std::pow(other[i] - exact[i], 2);
    ref += exact[i] * exact[i];
  }
  EXPECT_LT(e1 / ref, 1e-4);
  EXPECT_LT(e2 / ref, 1e-4);
  EXPECT_NEAR(std::log10(e1 / ref), std::log10(e2 / ref), 1.0);  // same order of magnitude
}

TEST(AirCompAllReduce, OneDeviceNeedsNoAir) {
  auto t = make_inprocess_transport(1);
  auto ar = make_aircomp_allreduce(*t, link(1, 20.0), options(TransceiverMethod::Sdr));
  std::vector<float> v = {1, 2, 3};
  std::vector<std::span<float>> s = {v};
  ar->reduce(s, call(0));
  EXPECT_EQ(v, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(scheme_stat(ar->scheme_stats(), "channel_uses"), 0);
}

TEST(AirCompAllReduce, ScenarioMustMatchTheRun) {
  auto t = make_inprocess_transport(3);
  EXPECT_THROW(make_aircomp_allreduce(*t, link(2, 20.0), options(TransceiverMethod::Sdr)), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
