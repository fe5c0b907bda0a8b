// The digital all-reduce: its error must be the quantizer's and its byte counts exact.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "comm/digital/digital.h"
#include "comm/exact/exact.h"

namespace airtp {
namespace {

std::vector<std::vector<float>> random_partials(int n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::vector<float>> p(static_cast<size_t>(n), std::vector<float>(d));
  for (auto& v : p)
    for (auto& x : v) x = g(rng);
  return p;
}

// A link for n devices (the wireless star prices its calls with the radio's rates).
LinkConfig link(int n) {
  LinkConfig l;
  l.radio = default_wireless_config(n);
  return l;
}

std::vector<std::span<float>> spans(std::vector<std::vector<float>>& p) {
  std::vector<std::span<float>> s;
  for (auto& v : p) s.emplace_back(v);
  return s;
}

TEST(Quantizer, EightBitBlocksAreQ8_0) {
  BlockQuantizer q{8, 32};
  EXPECT_EQ(q.wire_bytes(4096), 4096u / 32u * 34u);  // distributed-llama's Q80: 34 bytes per 32 values
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i - 16) / 16.0f;  // max |x| = 1
  q.round_trip(x);
  // d = 1/127: every value lands on a multiple of d within d/2.
  for (int i = 0; i < 32; ++i) EXPECT_NEAR(x[i], static_cast<float>(i - 16) / 16.0f, 0.5 / 127 + 1e-6);
}

TEST(DigitalAllReduce, ErrorMatchesQuantizerTheory) {
  for (int bits : {4, 6, 8}) {
    const int n = 3;
    auto p = random_partials(n, 1 << 15, 11 + bits);
    std::vector<double> exact(p[0].size(), 0.0);
    double expected = 0;
    BlockQuantizer q{bits, 32};
    for (auto& v : p) {
      for (size_t i = 0; i < v.size(); ++i) exact[i] += v[i];
      expected += q.expected_sq_error(v);  // independent errors of the devices add up
    }
    auto t = make_inprocess_transport(n);
    auto ar = make_digital_allreduce(*t, link(n), {q, DigitalTopology::WirelessStar});
    auto s = spans(p);
    ar->reduce(s, {});
    double err = 0;
    for (size_t i = 0; i < exact.size(); ++i) err += (p[0][i] - exact[i]) * (p[0][i] - exact[i]);
    EXPECT_NEAR(err / expected, 1.0, 0.05) << bits << " bits";
    EXPECT_NEAR(ar->stats().err_sq / err, 1.0, 1e-3);
    for (int d = 1; d < n; ++d) EXPECT_EQ(p[static_cast<size_t>(d)], p[0]);  // every device gets the same sum
  }
}

TEST(DigitalAllReduce, BytesPerTopology) {
  const int n = 4;
  const size_t D = 4096;
  BlockQuantizer q{8, 32};
  const uint64_t payload = q.wire_bytes(D);
  for (auto topo : {DigitalTopology::WirelessStar, DigitalTopology::Mesh, DigitalTopology::Star, DigitalTopology::Ring}) {
    auto p = random_partials(n, D, 3);
    auto t = make_inprocess_transport(n);
    auto ar = make_digital_allreduce(*t, link(n), {q, topo});
    auto s = spans(p);
    ar->reduce(s, {});
    const auto& st = ar->stats();
    // A wired collective counts at the transport, and the count is the byte model's exactly.
    EXPECT_EQ(st.bytes_measured, topo != DigitalTopology::WirelessStar);
    EXPECT_EQ(st.bytes_sent, st.model_bytes_sent);
    EXPECT_EQ(st.bytes_recv, st.model_bytes_recv);
    switch (topo) {
      case DigitalTopology::Mesh:  // distributed-llama: (N-1) copies out and in
        for (int d = 0; d < n; ++d) EXPECT_EQ(st.bytes_sent[d], 3 * payload);
        break;
      case DigitalTopology::Star:
        EXPECT_EQ(st.bytes_sent[0], 3 * payload);
        EXPECT_EQ(st.bytes_recv[0], 3 * payload);
        EXPECT_EQ(st.bytes_sent[1], payload);
        break;
      case DigitalTopology::WirelessStar:
        for (int d = 0; d < n; ++d) {
          EXPECT_EQ(st.bytes_sent[d], payload);
          EXPECT_EQ(st.bytes_recv[d], 2 * D);  // fp16 broadcast of the sum
        }
        break;
      case DigitalTopology::Ring:
        // 4 segments of 1024 values = 1024 bytes + 32 scales = 1088 bytes; 3 out and 3 in in each
        // of the reduce-scatter and the all-gather.
        for (int d = 0; d < n; ++d) {
          EXPECT_EQ(st.bytes_sent[d], 6 * 1088u);
          EXPECT_EQ(st.bytes_recv[d], 6 * 1088u);
        }
        break;
    }
  }
}

TEST(ExactAllReduce, SumsExactly) {
  auto p = random_partials(5, 1000, 9);
  std::vector<float> want(1000, 0.0f);
  for (auto& v : p)
    for (size_t i = 0; i < v.size(); ++i) want[i] += v[i];
  auto t = make_inprocess_transport(5);
  auto ar = make_exact_allreduce(*t);
  auto s = spans(p);
  ar->reduce(s, {});
  for (auto& v : p)
    for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], 1e-5);
  EXPECT_EQ(ar->stats().calls, 1u);
}

}  // namespace
}  // namespace airtp
