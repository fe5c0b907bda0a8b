#include <gtest/gtest.h>

#include "tp/plan.h"

namespace airtp {
namespace {

ModelConfig cfg(int kv, int heads, int hidden) {
  ModelConfig c;
  c.dim = 256; c.n_heads = heads; c.n_kv_heads = kv; c.hidden_dim = hidden; c.n_layers = 2; c.vocab_size = 100; c.max_seq_len = 64;
  return c;
}

TEST(Plan, CoversEveryHeadAndUnitExactlyOnce) {
  const auto c = cfg(8, 16, 768);
  for (int n = 1; n <= 8; ++n) {
    const Plan p = make_even_plan(c, n, 32);
    int kv = 0, units = 0;
    for (const auto& d : p.devices) {
      EXPECT_EQ(d.kv_begin, kv);
      EXPECT_EQ(d.unit_begin, units);
      EXPECT_GE(d.kv_heads(), 1);
      EXPECT_EQ(d.heads(), 2 * d.kv_heads());  // GQA groups stay whole
      EXPECT_EQ(d.unit_begin % 32, 0);
      kv = d.kv_end;
      units = d.unit_end;
    }
    EXPECT_EQ(kv, 8);
    EXPECT_EQ(units, 768);
  }
}

TEST(Plan, UnevenSharesRoundToTheNearestAchievableSplit) {
  const auto c = cfg(8, 8, 768);
  const std::vector<double> f = {0.5, 0.3, 0.2};
  const Plan p = make_plan(c, f, 32);
  // 8 KV heads: 4 / 2.4 / 1.6 -> 4 / 3 / 1 by largest remainders... closest achievable: 4,2,2 or 4,3,1
  EXPECT_EQ(p.devices[0].kv_heads(), 4);
  EXPECT_EQ(p.devices[1].kv_heads() + p.devices[2].kv_heads(), 4);
  // 24 blocks of 32 units: 12 / 7.2 / 4.8 -> 12 / 7 / 5
  EXPECT_EQ(p.devices[0].units(), 12 * 32);
  EXPECT_EQ(p.devices[1].units(), 7 * 32);
  EXPECT_EQ(p.devices[2].units(), 5 * 32);
  const auto r = p.realised_shares(c);
  double s = 0;
  for (double x : r) s += x;
  EXPECT_NEAR(s, 1.0, 1e-12);
}

TEST(Plan, BadInputsAreClearErrors) {
  const auto c = cfg(4, 8, 128);
  EXPECT_THROW(make_even_plan(c, 5, 1), std::invalid_argument);
  EXPECT_THROW(make_even_plan(c, 0, 1), std::invalid_argument);
  const std::vector<double> bad_sum = {0.5, 0.4};
  EXPECT_THROW(make_plan(c, bad_sum, 1), std::invalid_argument);
  const std::vector<double> negative = {1.5, -0.5};
  EXPECT_THROW(make_plan(c, negative, 1), std::invalid_argument);
  EXPECT_THROW(parse_shares("0.5,abc"), std::invalid_argument);
  EXPECT_THROW(parse_shares("0.5,0.2"), std::invalid_argument);
  EXPECT_EQ(parse_shares("0.5,0.3,0.2").size(), 3u);
}

}  // namespace
}  // namespace airtp

namespace airtp {
namespace {

TEST(Plan, ZeroShareDeviceHoldsNothing) {
  const auto c = cfg(4, 8, 128);
  const std::vector<double> f = {0.6, 0.0, 0.4};
  const Plan p = make_plan(c, f, 32);
  EXPECT_EQ(p.devices[1].kv_heads(), 0);
  EXPECT_EQ(p.devices[1].units(), 0);
  EXPECT_EQ(p.devices[0].kv_heads() + p.devices[2].kv_heads(), 4);
  // Five devices over four KV groups are fine when one of them is switched off.
  const std::vector<double> five = {0.25, 0.25, 0.0, 0.25, 0.25};
  EXPECT_NO_THROW(make_plan(c, five, 32));
}

}  // namespace
}  // namespace airtp

namespace airtp {
namespace {

// Whole k-quant blocks when there are at least 4 per device, else 32-unit steps (cut blocks are
// padded by the shard); blocks of 32 or less are always the step.
TEST(Plan, MlpUnitBlockKeepsBlocksWhenThereAreEnough) {
  ModelConfig c;
  c.hidden_dim = 11008;  // Llama-2-7B: 43 blocks of 256
  EXPECT_EQ(mlp_unit_block(c, 256, 8), 256);
  EXPECT_EQ(mlp_unit_block(c, 256, 11), 32);
  EXPECT_EQ(mlp_unit_block(c, 32, 64), 32);
  c.hidden_dim = 768;  // the bundled model: 3 blocks of 256
  EXPECT_EQ(mlp_unit_block(c, 256, 1), 32);
  EXPECT_EQ(mlp_unit_block(c, 1, 4), 1);
}

}  // namespace
}  // namespace airtp
