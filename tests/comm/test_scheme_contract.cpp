// The battery every registered all-reduce scheme (and preset) must pass, as llama.cpp's
// test-backend-ops runs every op over every type: a new scheme gets it by being in the registry.
//   - every device receives the same result, and the result is the sum within the scheme's
//     stated error bound (Scheme::max_nmse), measured here against a double-precision sum;
//   - the scheme's own error accounting (err_sq / ref_sq) agrees with that measurement;
//   - the bytes it counts per device are what its link model says (the busiest device exactly);
//   - the link time it accounts is its link model's, with the rates of the channel block in force;
//   - one device costs nothing and returns its partial; the same inputs give the same outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "comm/scheme.h"
#include "wireless/link_rates.h"

namespace airtp {
namespace {

struct Case {
  std::string scheme;
  int devices;
  size_t values;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& name : scheme_names())
    for (int n : {2, 4})
      for (size_t d : {size_t{1000}, size_t{4096}}) out.push_back({name, n, d});
  return out;
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.scheme + "_n" + std::to_string(info.param.devices) + "_d" + std::to_string(info.param.values);
}

LinkConfig link_for(int n) {
  LinkConfig l;
  l.radio = default_wireless_config(n, 3, 20.0);
  return l;
}

std::vector<std::vector<float>> partials(int n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::vector<float>> p(static_cast<size_t>(n), std::vector<float>(d));
  for (auto& v : p)
    for (auto& x : v) x = 0.2f + g(rng);  // a non-zero mean, as activations have
  return p;
}

class SchemeContract : public testing::TestWithParam<Case> {};

TEST_P(SchemeContract, SumBytesTimeAndDeterminism) {
  const Case c = GetParam();
  const SchemeChoice scheme = choose_scheme(c.scheme);
  const LinkConfig link = link_for(c.devices);
  auto transport = make_inprocess_transport(c.devices);
  auto ar = make_allreduce(scheme, *transport, link);
  const auto needs = scheme.scheme->rate_needs(link, scheme.options);
  BlockLinkRates block_rates(link.radio, needs);

  double err = 0, ref = 0, modelled = 0;
  std::vector<std::vector<float>> first_results;
  const int calls = 6;
  for (int call = 0; call < calls; ++call) {
    auto p = partials(c.devices, c.values, 100 + static_cast<uint64_t>(call));
    std::vector<double> exact(c.values, 0.0);
    for (const auto& v : p)
      for (size_t i = 0; i < c.values; ++i) exact[i] += v[i];
    std::vector<std::span<float>> spans(p.begin(), p.end());
    const SyncContext at{.layer = call / 2, .point = call % 2 ? SyncPoint::Mlp : SyncPoint::Attention,
                         .index = static_cast<uint64_t>(call), .block = static_cast<uint64_t>(call / 2)};
    ar->reduce(spans, at);
    for (int d = 1; d < c.devices; ++d) ASSERT_EQ(p[static_cast<size_t>(d)], p[0]) << "device " << d;
    for (size_t i = 0; i < c.values; ++i) {
      err += (p[0][i] - exact[i]) * (p[0][i] - exact[i]);
      ref += exact[i] * exact[i];
    }
    const LinkRates rates = (needs.uplink || needs.downlink) ? block_rates.at(at.block) : LinkRates{};
    modelled += scheme.scheme->link_time(link, scheme.options, rates, c.devices, static_cast<long long>(c.values)).total_s();
    first_results.push_back(p[0]);
  }
  const auto& st = ar->stats();
  EXPECT_EQ(st.calls, static_cast<uint64_t>(calls));
  EXPECT_EQ(st.values, static_cast<uint64_t>(calls) * c.values);

  const double nmse = err / ref;
  EXPECT_LT(nmse, scheme.scheme->max_nmse(scheme.options)) << scheme.label();
  if (st.ref_sq > 0) {
    EXPECT_NEAR(st.err_sq / st.ref_sq, nmse, 1e-3 * nmse + 1e-12);
  }

  const AllReduceTime model = scheme.scheme->link_time(link, scheme.options, LinkRates{
      std::vector<double>(static_cast<size_t>(c.devices), 1e9), 1e9}, c.devices, static_cast<long long>(c.values));
  const uint64_t max_sent = *std::max_element(st.bytes_sent.begin(), st.bytes_sent.end());
  const uint64_t max_recv = *std::max_element(st.bytes_recv.begin(), st.bytes_recv.end());
  EXPECT_DOUBLE_EQ(static_cast<double>(max_sent), calls * model.bytes_sent_per_device);
  EXPECT_DOUBLE_EQ(static_cast<double>(max_recv), calls * model.bytes_recv_per_device);

  EXPECT_NEAR(st.link_time_s, modelled, 1e-12 * modelled);

  // A fresh instance given the same inputs and context returns the same results.
  auto again = make_allreduce(scheme, *transport, link);
  for (int call = 0; call < calls; ++call) {
    auto p = partials(c.devices, c.values, 100 + static_cast<uint64_t>(call));
    std::vector<std::span<float>> spans(p.begin(), p.end());
    again->reduce(spans, {.index = static_cast<uint64_t>(call), .block = static_cast<uint64_t>(call / 2)});
    EXPECT_EQ(p[0], first_results[static_cast<size_t>(call)]) << "call " << call;
  }
}

TEST_P(SchemeContract, OneDeviceCostsNothing) {
  const Case c = GetParam();
  const SchemeChoice scheme = choose_scheme(c.scheme);
  auto transport = make_inprocess_transport(1);
  auto ar = make_allreduce(scheme, *transport, link_for(1));
  auto p = partials(1, c.values, 7);
  const auto before = p[0];
  std::vector<std::span<float>> spans(p.begin(), p.end());
  ar->reduce(spans, {});
  EXPECT_EQ(p[0], before);
  EXPECT_EQ(ar->stats().bytes_sent[0], 0u);
  EXPECT_EQ(ar->stats().link_time_s, 0);
}

INSTANTIATE_TEST_SUITE_P(EveryScheme, SchemeContract, testing::ValuesIn(cases()), case_name);

TEST(SchemeRegistry, NamesAreUniqueAndEveryEntryIsComplete) {
  std::vector<std::string> names = scheme_names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (const auto& s : all_schemes()) {
    EXPECT_FALSE(s.summary.empty()) << s.name;
    EXPECT_TRUE(s.label && s.max_nmse && s.rate_needs && s.link_time && s.make) << s.name;
    const SchemeChoice c = choose_scheme(s.name);
    for (const auto& o : s.options) EXPECT_TRUE(c.options.contains(o.name)) << s.name << "." << o.name;
  }
  EXPECT_THROW(choose_scheme("digital", {{"design", "sdr"}}), std::invalid_argument);  // another scheme's option
  EXPECT_THROW(choose_scheme("digital", {{"bits", 1}}), std::invalid_argument);        // out of range
  EXPECT_THROW(choose_scheme("aircomp", {{"design", "best"}}), std::invalid_argument);  // not a choice
}

}  // namespace
}  // namespace airtp
