// Latency model against numbers computed by hand from the formulas in
// docs/assignment-and-latency.md (independent arithmetic, not the model's own code path). The
// schemes' link times are checked on their own in tests/comm/test_link_time.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "util/input_error.h"
#include "model/config.h"
#include "perfmodel/latency.h"
#include "util/parameter_error.h"

using namespace airtp;

namespace {
std::vector<DeviceProfile> same_devices(int n, double bw = 20e9, double flops = 1e12) {
  std::vector<DeviceProfile> d(n);
  for (int i = 0; i < n; ++i) {
    d[i].name = fmt::format("d{}", i);
    d[i].mem_bandwidth_bytes_per_s = bw;
    d[i].flops_per_s = flops;
  }
  return d;
}
std::vector<double> uniform(int n) { return std::vector<double>(n, 1.0 / n); }
PricedLink priced(const std::string& name, LinkRates rates = {}, LinkConfig link = {}) {
  return PricedLink{choose_scheme(name), link, std::move(rates)};
}
}  // namespace

TEST(DecodeLatency, MemoryBoundHomogeneousMatchesBytesOverBandwidth) {
  // llama2-7b f16 on N identical memory-bound devices with uniform shares: each device reads
  // 2 bytes x (32 x 202,375,168 + 131,072,000) / N per token.
  const ModelShape m = model_shape_preset("llama2-7b", 2.0);
  ASSERT_EQ(m.layer_params(), 202375168);
  ASSERT_EQ(m.classifier_params(), 131072000);
  const PricedLink exact = priced("exact");
  for (int n : {1, 2, 4, 8}) {
    auto dev = same_devices(n);
    auto lat = decode_latency(m, dev, uniform(n), exact);
    const double bytes = 2.0 * (32.0 * 202375168 + 131072000) / n;
    EXPECT_NEAR(lat.compute_s, bytes / 20e9, 1e-12) << n;
    EXPECT_EQ(lat.comm_s, 0);
    EXPECT_EQ(lat.allreduces, 64);
  }
}

TEST(DecodeLatency, SlowestDevicePacesEveryStep) {
  const ModelShape m = model_shape_preset("llama2-7b", 2.0);
  auto dev = same_devices(2);
  dev[1].mem_bandwidth_bytes_per_s = 10e9;  // half as fast
  const PricedLink p = priced("aircomp");
  const std::vector<double> even{0.5, 0.5}, fair{2.0 / 3, 1.0 / 3};
  const double all_bytes = 2.0 * (32.0 * 202375168 + 131072000);
  auto l_even = decode_latency(m, dev, even, p);
  auto l_fair = decode_latency(m, dev, fair, p);
  EXPECT_NEAR(l_even.compute_s, 0.5 * all_bytes / 10e9, 1e-12);
  EXPECT_NEAR(l_fair.compute_s, all_bytes / 30e9, 1e-12);  // both finish together
  EXPECT_NEAR(l_even.device_compute_s[0], 0.5 * all_bytes / 20e9, 1e-12);
  // 64 all-reduces of 4096 values, 512 channel uses each, at 10 MHz.
  EXPECT_NEAR(l_even.comm_s, 64 * 51.2e-6, 1e-12);
  EXPECT_DOUBLE_EQ(l_even.total_s(), l_even.compute_s + l_even.comm_s);
}

TEST(DecodeLatency, AirCompTokenTimeFallsWithNAndBeatsDigital) {
  // paper.md T6: AirComp per-token time decreases with N; the digital/AirComp gap grows with N.
  const ModelShape m = model_shape_preset("llama2-7b", 18.0 / 32);
  double prev_air = 1e9, prev_ratio = 0;
  for (int n : {2, 4, 8}) {
    auto dev = same_devices(n, 10e9);
    LinkConfig link;
    link.radio.bandwidth_hz = 1e6;
    LinkRates rates;
    rates.uplink_bps.assign(n, 1e6 / n * std::log2(1 + 1000.0));
    const PricedLink air = priced("aircomp", {}, link), dig = priced("digital", rates, link);
    const double t_air = decode_latency(m, dev, uniform(n), air).total_s();
    const double t_dig = decode_latency(m, dev, uniform(n), dig).total_s();
    EXPECT_LT(t_air, prev_air);
    EXPECT_GT(t_dig / t_air, prev_ratio);
    prev_air = t_air;
    prev_ratio = t_dig / t_air;
  }
}

TEST(DecodeLatency, ContextAddsKvReads) {
  ModelShape m{"toy", 2, 64, 128, 4, 2, 100, 4.0};
  auto dev = same_devices(1, 1e9, 1e15);
  const PricedLink p = priced("exact");
  LatencyOptions o;
  o.include_classifier = false;
  const double base = decode_latency(m, dev, uniform(1), p, o).compute_s;
  EXPECT_NEAR(base, 4.0 * 2 * (4 * 64 * 64 + 3 * 64 * 128 - 2 * 64 * 32) / 1e9, 1e-15);
  o.context_tokens = 10;
  // + 2 layers x K and V x 10 positions x kv_dim 32 x 4 bytes.
  EXPECT_NEAR(decode_latency(m, dev, uniform(1), p, o).compute_s - base, 2 * 2 * 10 * 32 * 4 / 1e9,
              1e-15);
}

TEST(PrefillLatency, ComputeBoundAndLongerAllReduces) {
  ModelShape m{"toy", 1, 64, 128, 4, 4, 100, 2.0};
  auto dev = same_devices(2, 1e12, 1e9);  // very slow arithmetic: compute-bound
  LinkConfig link;
  link.radio.bandwidth_hz = 1e6;
  const PricedLink p = priced("aircomp", {}, link);
  const long long T = 16;
  auto l = prefill_latency(m, dev, uniform(2), p, T);
  const double att = 4.0 * 64 * 64, mlp = 3.0 * 64 * 128, cls = 100.0 * 64;
  const double flops = 2 * att * T + 2.0 * 64 * T * (T + 1) + 2 * mlp * T + 2 * cls;
  EXPECT_NEAR(l.compute_s, 0.5 * flops / 1e9, 1e-15);
  EXPECT_EQ(l.values_per_allreduce, 64 * 16);
  EXPECT_NEAR(l.comm_s, 2 * (64.0 * 16 / 8) / 1e6, 1e-15);
}

TEST(Calibration, ReproducesMeasuredSingleDeviceTime) {
  const ModelShape m = model_shape_preset("llama2-7b", 18.0 / 32);
  const double measured = 0.1142;  // s/token
  auto c = calibrate_decode(m, measured);
  auto dev = std::vector<DeviceProfile>{apply_calibration(DeviceProfile{}, c)};
  const PricedLink p = priced("exact");
  EXPECT_NEAR(decode_latency(m, dev, uniform(1), p).total_s(), measured, 1e-12);
  // A device twice as fast halves the predicted time.
  dev[0] = apply_calibration(DeviceProfile{}, c, 2.0);
  EXPECT_NEAR(decode_latency(m, dev, uniform(1), p).total_s(), measured / 2, 1e-12);
  EXPECT_THROW(calibrate_decode(m, 0), InputError);
}

TEST(LatencyInputs, BadSharesAndSchemesAreRejected) {
  const ModelShape m = model_shape_preset("llama2-7b");
  auto dev = same_devices(2);
  const PricedLink p = priced("aircomp");
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{0.5, 0.6}, p), InputError);
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{1.5, -0.5}, p), InputError);
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{1.0}, p), InputError);
  EXPECT_THROW(choose_scheme("carrier-pigeon"), ParameterError);
  EXPECT_EQ(choose_scheme("aircomp").scheme->name, "aircomp");
  EXPECT_EQ(choose_scheme("mesh").scheme->name, "digital");
  EXPECT_EQ(choose_scheme("mesh").options.at("topology"), "mesh");
  LinkConfig bad;
  bad.radio = default_wireless_config(2);
  bad.radio.bandwidth_hz = -1;
  EXPECT_THROW(price_link(choose_scheme("aircomp"), bad, 4), std::invalid_argument);
}

TEST(ModelShape, PresetsAndValidation) {
  const ModelShape m = model_shape_preset("llama2-70b");
  EXPECT_EQ(m.kv_dim(), 1024);
  EXPECT_EQ(m.allreduce_values_per_token(), 1310720);  // paper.md 5.5
  EXPECT_EQ(model_shape_preset("llama3-8b").allreduce_values_per_token(), 262144);
  // llama2-7b has ~6.74e9 parameters.
  EXPECT_NEAR(model_shape_preset("llama2-7b").total_params() / 1e9, 6.738, 0.001);
  EXPECT_THROW(model_shape_preset("gpt-5"), InputError);
  ModelShape bad = m;
  bad.n_kv_heads = 7;
  try {
    bad.validate("test");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("n_heads"), std::string::npos) << e.what();
  }
}

TEST(ModelShape, FromModelConfigAndTableIMemoryPattern) {
  ModelConfig c;
  c.name = "tiny";
  c.dim = 64;
  c.hidden_dim = 172;
  c.n_layers = 5;
  c.n_heads = 8;
  c.n_kv_heads = 4;
  c.vocab_size = 512;
  const ModelShape s = model_shape_from_config(c, 4.0);
  EXPECT_EQ(s.layer_params(), 64 * 64 * 2 + 2 * 64 * 32 + 3 * 64 * 172);
  EXPECT_EQ(s.total_params(), 5 * s.layer_params() + 2 * 512 * 64);
  EXPECT_DOUBLE_EQ(s.total_weight_bytes(), 4.0 * s.total_params());
  c.n_kv_heads = 3;  // 8 heads cannot be grouped by 3
  EXPECT_THROW(model_shape_from_config(c, 4.0), InputError);
  // Q4_0 weights on 24 GB devices: 70B needs two devices, 13B fits on one (paper Table I N/A).
  const double q40 = 18.0 / 32;
  EXPECT_GT(model_shape_preset("llama2-70b", q40).weight_bytes(1.0), 24e9);
  EXPECT_LT(model_shape_preset("llama2-70b", q40).weight_bytes(0.5), 24e9);
  EXPECT_LT(model_shape_preset("llama2-13b", q40).weight_bytes(1.0), 24e9);
}

// The presets random-model writes: the model cards' shapes, context and rope base (TinyLlama
// 1.1B's config.json; Llama 3's 500000 rope base and 8192 context; 1,100,048,384 parameters for
// TinyLlama: 22 layers of 44,045,312 plus two 65,536,000 embeddings and the final norm).
TEST(ModelShapePresets, CarryTheModelCardsMetadata) {
  const ModelShape t = model_shape_preset("tinyllama-1.1b", 2.0);
  EXPECT_EQ(t.n_layers, 22);
  EXPECT_EQ(t.n_kv_heads, 4);
  EXPECT_EQ(t.layer_params(), 44040192);
  EXPECT_EQ(t.context, 2048);
  const ModelShape l3 = model_shape_preset("llama3-8b", 2.0);
  EXPECT_EQ(l3.rope_theta, 500000.0f);
  EXPECT_EQ(l3.context, 8192);
  EXPECT_EQ(l3.vocab, 128256);
  EXPECT_EQ(model_shape_preset("llama2-7b", 2.0).context, 4096);
}
