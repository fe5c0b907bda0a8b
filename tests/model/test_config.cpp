#include <gtest/gtest.h>

#include "model/config.h"
#include "test_util.h"

namespace airtp {
namespace {

ModelConfig stories_config() {
  ModelConfig c;
  c.dim = 64;
  c.hidden_dim = 172;
  c.n_layers = 5;
  c.n_heads = 8;
  c.n_kv_heads = 4;
  c.vocab_size = 512;
  c.max_seq_len = 512;
  return c;
}

TEST(ModelConfig, ParamCountsByHand) {
  ModelConfig c = stories_config();
  EXPECT_EQ(c.head_dim(), 8);
  EXPECT_EQ(c.kv_dim(), 32);
  EXPECT_EQ(c.heads_per_kv(), 2);
  // wq + wo: 2*64*64 = 8192; wk + wv: 2*32*64 = 4096; FFN: 3*172*64 = 33024; norms: 128.
  EXPECT_EQ(c.layer_params(), 45440);
  // 5 layers + 512*64 embedding + 64 final norm; the classifier is tied. This equals the float
  // count of stories260K.bin minus its 2*512*4 freq_cis values: (1056540 - 28) / 4 - 4096.
  c.tied_output = true;
  EXPECT_EQ(c.total_params(), 260032);
  EXPECT_EQ(c.total_params(), (1056540 - 28) / 4 - 4096);
  c.tied_output = false;
  EXPECT_EQ(c.total_params(), 260032 + 512 * 64);
}

TEST(ModelConfig, ValidateAcceptsRealShapes) {
  EXPECT_NO_THROW(stories_config().validate("x"));
  ModelConfig llama7b;
  llama7b.dim = 4096;
  llama7b.hidden_dim = 11008;
  llama7b.n_layers = 32;
  llama7b.n_heads = llama7b.n_kv_heads = 32;
  llama7b.vocab_size = 32000;
  llama7b.max_seq_len = 4096;
  EXPECT_NO_THROW(llama7b.validate("x"));
  EXPECT_EQ(llama7b.layer_params(), 4LL * 4096 * 4096 + 3LL * 11008 * 4096 + 2 * 4096);
}

TEST(ModelConfig, ValidateNamesSourceAndField) {
  auto expect = [](auto mutate, const std::string& phrase) {
    ModelConfig c = stories_config();
    mutate(c);
    test::expect_model_error([&] { c.validate("some/file.bin"); }, "some/file.bin", phrase);
  };
  expect([](ModelConfig& c) { c.dim = 0; }, "dim = 0");
  expect([](ModelConfig& c) { c.hidden_dim = -3; }, "hidden_dim = -3");
  expect([](ModelConfig& c) { c.n_layers = 100000; }, "n_layers = 100000");
  expect([](ModelConfig& c) { c.n_heads = 0; }, "n_heads = 0");
  expect([](ModelConfig& c) { c.n_kv_heads = -1; }, "n_kv_heads = -1");
  expect([](ModelConfig& c) { c.vocab_size = 1 << 30; }, "vocab_size = 1073741824");
  expect([](ModelConfig& c) { c.max_seq_len = 0; }, "max_seq_len = 0");
  expect([](ModelConfig& c) { c.n_heads = 6; c.n_kv_heads = 6; }, "dim = 64 is not a multiple of n_heads = 6");
  expect([](ModelConfig& c) { c.n_kv_heads = 3; }, "n_heads = 8 is not a multiple of n_kv_heads = 3");
  expect([](ModelConfig& c) { c.dim = 72; c.n_heads = 8; }, "head_dim = 9");
  expect([](ModelConfig& c) { c.rope_theta = -1; }, "rope_theta");
  expect([](ModelConfig& c) { c.norm_eps = 0; }, "norm_eps");
}

}  // namespace
}  // namespace airtp
