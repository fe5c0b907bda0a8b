// The link model of every scheme (comm/scheme.h) against numbers computed by hand from the formulas
// in docs/assignment-and-latency.md (independent arithmetic, not the schemes' own code path).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "comm/scheme.h"
#include "perfmodel/model_shape.h"

using namespace airtp;

namespace {

// The scheme `name` with `options` priced on `link` with given `rates` (no channel averaging).
PricedLink priced(const std::string& name, const nlohmann::json& options = nlohmann::json::object(),
                  LinkRates rates = {}, LinkConfig link = {}) {
  return PricedLink{choose_scheme(name, options), link, std::move(rates)};
}

}  // namespace

TEST(AllReduceTime, AirCompHandComputed) {
  LinkConfig link;
  link.radio.bandwidth_hz = 10e6;
  link.radio.n_streams = 4;
  link.air.reals_per_symbol = 2;
  // 4096 values / (2 reals x 4 streams) = 512 channel uses at 10 Msym/s = 51.2 us.
  auto t = priced("aircomp", {}, {}, link).time(4, 4096);
  EXPECT_DOUBLE_EQ(t.channel_uses, 512);
  EXPECT_NEAR(t.uplink_s, 51.2e-6, 1e-15);
  EXPECT_EQ(t.downlink_s, 0);
  // One real per symbol doubles it; a ragged length rounds up: 4097 -> 513 uses.
  link.air.reals_per_symbol = 1;
  EXPECT_NEAR(priced("aircomp", {}, {}, link).time(4, 4096).uplink_s, 102.4e-6, 1e-15);
  link.air.reals_per_symbol = 2;
  EXPECT_DOUBLE_EQ(priced("aircomp", {}, {}, link).time(4, 4097).channel_uses, 513);
  // Broadcast: 16 bits x 4096 values at 50 Mbit/s = 1.31072 ms; plus 10 us sync overhead.
  link.air.sync_overhead_s = 10e-6;
  LinkRates rates;
  rates.downlink_bps = 50e6;
  t = priced("aircomp", {}, rates, link).time(4, 4096);
  EXPECT_NEAR(t.downlink_s, 1.31072e-3, 1e-12);
  EXPECT_NEAR(t.total_s(), 51.2e-6 + 1.31072e-3 + 10e-6, 1e-12);
  // Not counting the broadcast drops its time but not its bytes.
  link.air.broadcast = false;
  t = priced("aircomp", {}, rates, link).time(4, 4096);
  EXPECT_EQ(t.downlink_s, 0);
  EXPECT_DOUBLE_EQ(t.bytes_recv_per_device, 2 * 4096);
}

TEST(AllReduceTime, AirCompIndependentOfNUncodedFdmaLinear) {
  const PricedLink p = priced("aircomp");
  const double t2 = p.time(2, 4096).total_s();
  for (int n : {3, 4, 8, 16}) EXPECT_DOUBLE_EQ(p.time(n, 4096).total_s(), t2);
  // FDMA: every device needs AirComp's 512 channel uses, in a sub-band 1/N as wide.
  for (int n : {2, 4, 8}) EXPECT_NEAR(priced("fdma").time(n, 4096).uplink_s, n * 51.2e-6, 1e-15);
}

TEST(AllReduceTime, DigitalOfdmaSisoHandComputed) {
  // SISO, B = 10 MHz, N = 2: each device gets 5 MHz. Sub-band SNRs 15 and 3 give
  // R = 5e6 log2(16) = 20 Mbit/s and 5e6 log2(4) = 10 Mbit/s. 4096 values in 8-bit blocks of 32
  // are 4096 bytes + 128 fp16 scales = 4352 bytes = 34816 bits; the slower device needs
  // 34816 / 10e6 = 3.4816 ms.
  LinkRates rates;
  rates.uplink_bps = {5e6 * std::log2(1 + 15.0), 5e6 * std::log2(1 + 3.0)};
  auto t = priced("digital", {}, rates).time(2, 4096);
  EXPECT_NEAR(t.uplink_s, 3.4816e-3, 1e-12);
  EXPECT_DOUBLE_EQ(t.bytes_sent_per_device, 4352);
  // Four bits: 2048 bytes + 256 bytes of scales.
  EXPECT_NEAR(priced("digital", {{"bits", 4}}, rates).time(2, 4096).uplink_s, 2304 * 8 / 10e6, 1e-12);
  // A rate vector of the wrong length is an error naming it.
  rates.uplink_bps = {1e6};
  try {
    priced("digital", {}, rates).time(2, 4096);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("uplink rates"), std::string::npos) << e.what();
  }
}

TEST(AllReduceTime, DigitalGrowsWithNAirCompDoesNot) {
  // Same per-device SNR in every sub-band: R_n = (B/N) log2(1 + snr) -> time proportional to N.
  const double B = 10e6, snr = 100;
  double prev_dig = 0;
  for (int n : {2, 4, 8}) {
    LinkRates rates;
    rates.uplink_bps.assign(n, B / n * std::log2(1 + snr));
    const double t = priced("digital", {}, rates).time(n, 4096).uplink_s;
    EXPECT_NEAR(t, 8 * 4352 / (B / n * std::log2(1 + snr)), 1e-12);
    EXPECT_GT(t, prev_dig);
    prev_dig = t;
  }
}

TEST(AllReduceTime, DistributedLlamaMeshBytesLlama3_8B) {
  // anchors.md: Llama 3 8B, Q80 sync, N = 2 -> 272 kB (KiB) sent per node per token; root
  // send + receive = 544 / 1632 / 3808 kB for 2 / 4 / 8 nodes.
  const ModelShape m = model_shape_preset("llama3-8b");
  const PricedLink p = priced("mesh");
  const double per_token_n2 = p.time(2, m.dim).bytes_sent_per_device * m.allreduces_per_token();
  EXPECT_DOUBLE_EQ(per_token_n2, 272.0 * 1024);
  const double expect_kb[] = {544, 1632, 3808};
  int k = 0;
  for (int n : {2, 4, 8}) {
    auto t = p.time(n, m.dim);
    EXPECT_DOUBLE_EQ((t.bytes_sent_per_device + t.bytes_recv_per_device) * m.allreduces_per_token() / 1024,
                     expect_kb[k++]);
  }
  // 1 Gbit/s: 278528 bytes per token = 2228224 bits -> 2.228 ms of wire time per token (N=2).
  EXPECT_NEAR(p.time(2, m.dim).uplink_s * 64, 2.228224e-3, 1e-12);
}

TEST(AllReduceTime, StarTwoHopsAtRoot) {
  LinkConfig link;
  link.wire.bps = 1e9;
  link.wire.latency_s = 50e-6;
  // 8-bit blocks of 32: 1000 values are 1000 bytes + 32 fp16 scales = 1064 bytes. 3 partials
  // into the root, 3 copies out: 2 x 3 x 1064 x 8 / 1e9 + 2 x 50 us.
  EXPECT_NEAR(priced("star", {}, {}, link).time(4, 1000).total_s(), 2 * 3 * 1064 * 8 / 1e9 + 100e-6, 1e-15);
}

TEST(AllReduceTime, SingleDeviceHasNoCommunication) {
  for (const auto& name : scheme_names()) EXPECT_EQ(priced(name).time(1, 4096).total_s(), 0) << name;
}

TEST(AllReduceTime, ExactIsTheIdealLinkLatency) {
  LinkConfig link;
  link.ideal_latency_s = 3e-6;
  EXPECT_DOUBLE_EQ(priced("exact", {}, {}, link).time(4, 4096).total_s(), 3e-6);
  EXPECT_EQ(priced("exact").time(4, 4096).total_s(), 0);
}
