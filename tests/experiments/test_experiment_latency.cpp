// latency-devices at smoke sizes, against hand arithmetic: AirComp's all-reduce time does not
// depend on N and beats digital OFDMA from N = 4; compute splits as 1/N; calibration reproduces
// the number it was calibrated on.
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/latency_devices/latency_devices.h"

using namespace airtp;

namespace {

ModelShape toy() {
  ModelShape m;
  m.name = "toy";
  m.n_layers = 2;
  m.dim = 512;
  m.hidden_dim = 1024;
  m.n_heads = 8;
  m.n_kv_heads = 8;
  m.vocab = 1000;
  m.bytes_per_weight = 2;
  return m;
}

const LatencyRow& row(const std::vector<LatencyRow>& rows, int n, const std::string& s) {
  for (const auto& r : rows)
    if (r.devices == n && r.scheme == s) return r;
  throw std::logic_error("row missing");
}

}  // namespace

TEST(ExperimentLatency, AirCompTimeIndependentOfNAndBelowDigitalFromFourDevices) {
  const ModelShape m = toy();
  const DeviceProfile dev = calibrated_device(m, 0.01, 1e12);
  LatencySweepParams p;
  p.devices = {1, 2, 4, 8};
  p.schemes = {"aircomp", "digital", "exact"};
  p.broadcast = false;
  const auto rows = latency_sweep(m, dev, p);
  ASSERT_EQ(rows.size(), 12u);
  // ceil(512 values / (2 reals x 4 streams)) = 64 channel uses at 10 MHz = 6.4 us per all-reduce,
  // 2 all-reduces per layer x 2 layers per token.
  for (int n : {2, 4, 8}) {
    const auto& air = row(rows, n, "aircomp").latency;
    EXPECT_NEAR(air.per_allreduce.uplink_s, 6.4e-6, 1e-15) << n;
    EXPECT_NEAR(air.comm_s, 4 * 6.4e-6, 1e-15) << n;
    EXPECT_EQ(air.allreduces, 4);
  }
  EXPECT_EQ(row(rows, 1, "aircomp").latency.comm_s, 0);
  for (int n : {4, 8})
    EXPECT_LT(row(rows, n, "aircomp").latency.comm_s,
              row(rows, n, "digital").latency.comm_s) << n;
  // Digital: each device gets B/N, so its time grows with N.
  EXPECT_LT(row(rows, 2, "digital").latency.comm_s,
            row(rows, 4, "digital").latency.comm_s);
  EXPECT_LT(row(rows, 4, "digital").latency.comm_s,
            row(rows, 8, "digital").latency.comm_s);
  // Calibrated: one device decodes in exactly 10 ms; identical devices with even shares split the
  // (memory-bound, calibrated) compute as 1/N.
  EXPECT_NEAR(row(rows, 1, "exact").latency.total_s(), 0.01, 1e-12);
  for (int n : {2, 4, 8}) EXPECT_NEAR(row(rows, n, "exact").latency.compute_s, 0.01 / n, 1e-12) << n;

  // With the broadcast counted, AirComp still does not depend on N through its uplink, and the
  // (common) broadcast keeps it below digital.
  p.broadcast = true;
  const auto with = latency_sweep(m, dev, p);
  for (int n : {4, 8}) {
    EXPECT_NEAR(row(with, n, "aircomp").latency.per_allreduce.uplink_s, 6.4e-6, 1e-15);
    EXPECT_GT(row(with, n, "aircomp").latency.per_allreduce.downlink_s, 0);
    EXPECT_LT(row(with, n, "aircomp").latency.comm_s, row(with, n, "digital").latency.comm_s);
  }
}

TEST(ExperimentLatency, PaperCalibrationAndMemoryFit) {
  const auto& spec = find_experiment("latency-devices");
  auto params = overlay_params(spec.defaults, spec.smoke, "--smoke");
  params = overlay_params(params, {{"bundled", false}}, "test");
  const auto out = spec.run(params, {});
  const auto& models = out.results["models"];
  // LLaMA2-7B on one device takes the paper's 114.2 ms by construction.
  const auto& t7 = models["llama2-7b"]["table1"];
  ASSERT_TRUE(t7.is_array());
  EXPECT_NEAR(t7[0]["ours_ms"].get<double>(), 114.2, 1e-6);
  EXPECT_NEAR(t7[3]["paper_ms"].get<double>(), 37.8, 1e-12);
  // 70B in Q4_0 (~39 GB) does not fit one 24 GB device: N/A, like the paper.
  EXPECT_TRUE(models["llama2-70b"]["table1"][0]["ours_ms"].is_null());
  EXPECT_EQ(models["llama2-70b"]["aircomp_speedup"]["from_n"], 2);
  // AirComp beats digital at N = 8 for every model, more without the common broadcast.
  for (const auto& [name, m] : models.items()) {
    SCOPED_TRACE(name);
    EXPECT_GT(m["aircomp_over_digital_total_at_n8"].get<double>(), 1);
    EXPECT_GE(m["aircomp_over_digital_total_at_n8_without_broadcast"].get<double>(),
              m["aircomp_over_digital_total_at_n8"].get<double>());
  }
  EXPECT_EQ(paper_table1("llama2-13b").size(), 4u);
  EXPECT_TRUE(paper_table1("llama3-8b").empty());
  EXPECT_THROW(calibrated_device(toy(), 0, 1e9), std::invalid_argument);
}
