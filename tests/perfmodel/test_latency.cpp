// Latency model against numbers computed by hand from the formulas in
// docs/assignment-and-latency.md (independent arithmetic, not the model's own code path).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "perfmodel/scenario_error.h"
#include "model/config.h"
#include "perfmodel/latency.h"

using namespace airtp;

namespace {
std::vector<DeviceProfile> same_devices(int n, double bw = 20e9, double flops = 1e12) {
  std::vector<DeviceProfile> d(n);
  for (int i = 0; i < n; ++i) {
    d[i].name = "d" + std::to_string(i);
    d[i].mem_bandwidth_bytes_per_s = bw;
    d[i].flops_per_s = flops;
  }
  return d;
}
std::vector<double> uniform(int n) { return std::vector<double>(n, 1.0 / n); }
}  // namespace

TEST(AllReduceTime, AirCompHandComputed) {
  CommParams p;
  p.scheme = AllReduceScheme::AirComp;
  p.wireless.bandwidth_hz = 10e6;
  p.wireless.streams = 4;
  p.wireless.reals_per_symbol = 2;
  // 4096 values / (2 reals x 4 streams) = 512 channel uses at 10 Msym/s = 51.2 us.
  auto t = allreduce_time(p, 4, 4096);
  EXPECT_DOUBLE_EQ(t.channel_uses, 512);
  EXPECT_NEAR(t.uplink_s, 51.2e-6, 1e-15);
  EXPECT_EQ(t.downlink_s, 0);
  // One real per symbol doubles it; a ragged length rounds up: 4097 -> 513 uses.
  p.wireless.reals_per_symbol = 1;
  EXPECT_NEAR(allreduce_time(p, 4, 4096).uplink_s, 102.4e-6, 1e-15);
  p.wireless.reals_per_symbol = 2;
  EXPECT_DOUBLE_EQ(allreduce_time(p, 4, 4097).channel_uses, 513);
  // Broadcast: 16 bits x 4096 values at 50 Mbit/s = 1.31072 ms; plus 10 us sync overhead.
  p.wireless.downlink_rate_bps = 50e6;
  p.wireless.sync_overhead_s = 10e-6;
  t = allreduce_time(p, 4, 4096);
  EXPECT_NEAR(t.downlink_s, 1.31072e-3, 1e-12);
  EXPECT_NEAR(t.total_s(), 51.2e-6 + 1.31072e-3 + 10e-6, 1e-12);
}

TEST(AllReduceTime, AirCompIndependentOfNUncodedFdmaLinear) {
  CommParams p;
  p.scheme = AllReduceScheme::AirComp;
  const double t2 = allreduce_time(p, 2, 4096).total_s();
  for (int n : {3, 4, 8, 16}) EXPECT_DOUBLE_EQ(allreduce_time(p, n, 4096).total_s(), t2);
  p.scheme = AllReduceScheme::UncodedFdma;
  for (int n : {2, 4, 8}) EXPECT_NEAR(allreduce_time(p, n, 4096).uplink_s, n * 51.2e-6, 1e-15);
}

TEST(AllReduceTime, DigitalOfdmaSisoHandComputed) {
  // SISO, B = 10 MHz, N = 2: each device gets 5 MHz. Sub-band SNRs 15 and 3 give
  // R = 5e6 log2(16) = 20 Mbit/s and 5e6 log2(4) = 10 Mbit/s. 8 bits x 4096 values = 32768 bits;
  // the slower device needs 32768 / 10e6 = 3.2768 ms.
  CommParams p;
  p.scheme = AllReduceScheme::DigitalOfdma;
  p.wireless.uplink_rate_bps = {5e6 * std::log2(1 + 15.0), 5e6 * std::log2(1 + 3.0)};
  p.wireless.downlink_rate_bps = 0;
  auto t = allreduce_time(p, 2, 4096);
  EXPECT_NEAR(t.uplink_s, 3.2768e-3, 1e-12);
  EXPECT_DOUBLE_EQ(t.bytes_sent_per_device, 4096);
  // A rate vector of the wrong length is an error naming the field.
  p.wireless.uplink_rate_bps = {1e6};
  try {
    allreduce_time(p, 2, 4096);
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("uplink_rate_bps"), std::string::npos);
  }
}

TEST(AllReduceTime, DigitalGrowsWithNAirCompDoesNot) {
  // Same per-device SNR in every sub-band: R_n = (B/N) log2(1 + snr) -> time proportional to N.
  const double B = 10e6, snr = 100;
  double prev_dig = 0;
  for (int n : {2, 4, 8}) {
    CommParams dig;
    dig.scheme = AllReduceScheme::DigitalOfdma;
    dig.wireless.uplink_rate_bps.assign(n, B / n * std::log2(1 + snr));
    const double t = allreduce_time(dig, n, 4096).uplink_s;
    EXPECT_NEAR(t, 8 * 4096 / (B / n * std::log2(1 + snr)), 1e-12);
    EXPECT_GT(t, prev_dig);
    prev_dig = t;
  }
}

TEST(AllReduceTime, DistributedLlamaMeshBytesLlama3_8B) {
  // anchors.md: Llama 3 8B, Q80 sync, N = 2 -> 272 kB (KiB) sent per node per token; root
  // send + receive = 544 / 1632 / 3808 kB for 2 / 4 / 8 nodes.
  const ModelShape m = model_shape_preset("llama3-8b");
  CommParams p;
  p.scheme = AllReduceScheme::EthernetMesh;
  const double per_token_n2 =
      allreduce_time(p, 2, m.dim).bytes_sent_per_device * m.allreduces_per_token();
  EXPECT_DOUBLE_EQ(per_token_n2, 272.0 * 1024);
  const double expect_kb[] = {544, 1632, 3808};
  int k = 0;
  for (int n : {2, 4, 8}) {
    auto t = allreduce_time(p, n, m.dim);
    EXPECT_DOUBLE_EQ((t.bytes_sent_per_device + t.bytes_recv_per_device) *
                         m.allreduces_per_token() / 1024,
                     expect_kb[k++]);
  }
  // 1 Gbit/s: 278528 bytes per token = 2228224 bits -> 2.228 ms of wire time per token (N=2).
  p.ethernet.link_bps = 1e9;
  EXPECT_NEAR(allreduce_time(p, 2, m.dim).uplink_s * 64, 2.228224e-3, 1e-12);
}

TEST(AllReduceTime, StarTwoHopsAtRoot) {
  CommParams p;
  p.scheme = AllReduceScheme::EthernetStar;
  p.ethernet.link_bps = 1e9;
  p.ethernet.latency_s = 50e-6;
  p.ethernet.bytes_per_value = 4;
  // 3 partials of 1000 floats into the root, 3 copies out: 2 x 3 x 4000 x 8 / 1e9 + 2 x 50 us.
  EXPECT_NEAR(allreduce_time(p, 4, 1000).total_s(), 2 * 3 * 32000 / 1e9 + 100e-6, 1e-15);
}

TEST(AllReduceTime, SingleDeviceHasNoCommunication) {
  for (auto s : {AllReduceScheme::AirComp, AllReduceScheme::EthernetMesh,
                 AllReduceScheme::DigitalOfdma}) {
    CommParams p;
    p.scheme = s;
    EXPECT_EQ(allreduce_time(p, 1, 4096).total_s(), 0);
  }
}

TEST(DecodeLatency, MemoryBoundHomogeneousMatchesBytesOverBandwidth) {
  // llama2-7b f16 on N identical memory-bound devices with uniform shares: each device reads
  // 2 bytes x (32 x 202,375,168 + 131,072,000) / N per token.
  const ModelShape m = model_shape_preset("llama2-7b", 2.0);
  ASSERT_EQ(m.layer_params(), 202375168);
  ASSERT_EQ(m.classifier_params(), 131072000);
  CommParams exact;
  exact.scheme = AllReduceScheme::Exact;
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
  CommParams p;
  p.scheme = AllReduceScheme::AirComp;
  p.wireless.bandwidth_hz = 10e6;
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
    CommParams air, dig;
    air.scheme = AllReduceScheme::AirComp;
    dig.scheme = AllReduceScheme::DigitalOfdma;
    dig.wireless.uplink_rate_bps.assign(n, 1e6 / n * std::log2(1 + 1000.0));
    air.wireless.bandwidth_hz = dig.wireless.bandwidth_hz = 1e6;
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
  CommParams p;
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
  CommParams p;
  p.scheme = AllReduceScheme::AirComp;
  p.wireless.bandwidth_hz = 1e6;
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
  CommParams p;
  EXPECT_NEAR(decode_latency(m, dev, uniform(1), p).total_s(), measured, 1e-12);
  // A device twice as fast halves the predicted time.
  dev[0] = apply_calibration(DeviceProfile{}, c, 2.0);
  EXPECT_NEAR(decode_latency(m, dev, uniform(1), p).total_s(), measured / 2, 1e-12);
  EXPECT_THROW(calibrate_decode(m, 0), ScenarioError);
}

TEST(LatencyInputs, BadSharesAndSchemesAreRejected) {
  const ModelShape m = model_shape_preset("llama2-7b");
  auto dev = same_devices(2);
  CommParams p;
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{0.5, 0.6}, p), ScenarioError);
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{1.5, -0.5}, p), ScenarioError);
  EXPECT_THROW(decode_latency(m, dev, std::vector<double>{1.0}, p), ScenarioError);
  EXPECT_THROW(parse_scheme("carrier-pigeon"), ScenarioError);
  EXPECT_EQ(parse_scheme("aircomp"), AllReduceScheme::AirComp);
  EXPECT_EQ(parse_scheme(scheme_name(AllReduceScheme::EthernetMesh)),
            AllReduceScheme::EthernetMesh);
  p.wireless.bandwidth_hz = -1;
  EXPECT_THROW(allreduce_time(p, 2, 10), ScenarioError);
}

TEST(ModelShape, PresetsAndValidation) {
  const ModelShape m = model_shape_preset("llama2-70b");
  EXPECT_EQ(m.kv_dim(), 1024);
  EXPECT_EQ(m.allreduce_values_per_token(), 1310720);  // paper.md 5.5
  EXPECT_EQ(model_shape_preset("llama3-8b").allreduce_values_per_token(), 262144);
  // llama2-7b has ~6.74e9 parameters.
  EXPECT_NEAR(model_shape_preset("llama2-7b").total_params() / 1e9, 6.738, 0.001);
  EXPECT_THROW(model_shape_preset("gpt-5"), ScenarioError);
  ModelShape bad = m;
  bad.n_kv_heads = 7;
  try {
    bad.validate("test");
    FAIL();
  } catch (const ScenarioError& e) {
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
  EXPECT_THROW(model_shape_from_config(c, 4.0), ScenarioError);
  // Q4_0 weights on 24 GB devices: 70B needs two devices, 13B fits on one (paper Table I N/A).
  const double q40 = 18.0 / 32;
  EXPECT_GT(model_shape_preset("llama2-70b", q40).weight_bytes(1.0), 24e9);
  EXPECT_LT(model_shape_preset("llama2-70b", q40).weight_bytes(0.5), 24e9);
  EXPECT_LT(model_shape_preset("llama2-13b", q40).weight_bytes(1.0), 24e9);
}
