// Tensor parallelism must not change the result: with the exact all-reduce every split
// (N = 1..5, even and uneven shares) reproduces single-device inference.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine_fixture.h"
#include "model/gguf_writer.h"
#include "tp/shard.h"

namespace airtp {
namespace {

std::vector<int> stories_reference() {
  std::ifstream in(std::string(AIRTP_TEST_DATA) + "/stories260K.greedy64.txt");
  std::vector<int> ids;
  int v;
  while (in >> v) ids.push_back(v);
  return ids;
}

// stories260K has 4 KV groups; llama2.c's run.c greedy output is the independent reference.
TEST(Stories260K, GreedyMatchesLlama2cReferenceForEverySplit) {
  const auto want = stories_reference();
  ASSERT_EQ(want.size(), 64u);
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/stories260K.bin");
  const std::vector<std::vector<double>> splits = {{1.0}, {0.5, 0.5}, {0.34, 0.33, 0.33}, {0.25, 0.25, 0.25, 0.25},
                                                   {0.7, 0.3}, {0.5, 0.25, 0.25}};
  for (const auto& shares : splits) {
    test::Rig rig(m, shares);
    EXPECT_EQ(test::greedy(*rig.engine, {1}, 64), want) << "devices " << shares.size();
  }
}

TEST(Stories260K, MoreDevicesThanKvGroupsIsAClearError) {
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/stories260K.bin");
  try {
    test::Rig rig(m, test::Rig::even(5));
    FAIL() << "5 devices over 4 KV groups must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("KV heads"), std::string::npos) << e.what();
  }
}

// The bundled model has 8 KV groups, so N = 5 and uneven splits are possible.
TEST(BundledModel, LogitsOfEverySplitMatchOneDevice) {
  const std::string path = std::string(AIRTP_SOURCE_DIR) + "/models/airtp-kjv-q8_0.gguf";
  if (!std::ifstream(path)) GTEST_SKIP() << "bundled model not present";
  const Model m = load_model(path);
  const auto tokens = m.tokenizer.encode("And God said, Let there be light: and there was light.", true);
  test::Rig one(m, {1.0});
  const auto ref = one.engine->forward(tokens, 0, true);
  const std::vector<std::vector<double>> splits = {{0.5, 0.5}, {0.4, 0.35, 0.25}, {0.25, 0.25, 0.25, 0.25},
                                                   {0.2, 0.2, 0.2, 0.2, 0.2}, {0.5, 0.3, 0.2}, {0.1, 0.6, 0.1, 0.2}};
  for (const auto& shares : splits) {
    test::Rig rig(m, shares);
    const auto got = rig.engine->forward(tokens, 0, true);
    ASSERT_EQ(got.size(), ref.size());
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      num = std::max(num, static_cast<double>(std::abs(got[i] - ref[i])));
      den = std::max(den, static_cast<double>(std::abs(ref[i])));
    }
    EXPECT_LT(num / den, 1e-5) << "devices " << shares.size();
    // Uneven shares are realised as asked, to within one KV group / unit block.
    const auto real = rig.engine->plan().realised_shares(m.config);
    for (size_t d = 0; d < shares.size(); ++d) EXPECT_NEAR(real[d], shares[d], 1.0 / m.config.n_kv_heads);
  }
}

}  // namespace
}  // namespace airtp

namespace airtp {
namespace {

// stories260K's heads are 8 wide and its KV groups 16: as Q8_0 every attn_output cut falls
// inside a 32-value block. The devices keep the covering blocks whole and multiply them with
// zeros outside their columns, so every split still gives the single device's tokens.
TEST(Stories260K, CutsInsideQuantizationBlocksKeepTheResult) {
  const Model f32 = load_model(std::string(AIRTP_TEST_DATA) + "/stories260K.bin");
  const std::string path = (std::filesystem::temp_directory_path() / ("stories-q8-" + std::to_string(::getpid()) + ".gguf")).string();
  save_gguf(f32, path, DType::Q8_0);
  const Model m = load_model(path);
  std::filesystem::remove(path);
  ASSERT_EQ(m.weights.layers[0].wo.type, DType::Q8_0);
  test::Rig one(m, {1.0});
  const auto want = test::greedy(*one.engine, {1}, 48);
  // Each split with the attn_output cut the plan printout must report ("" = all on block boundaries).
  const std::vector<std::pair<std::vector<double>, std::string>> cases = {
      {{0.5, 0.5}, ""},
      {{0.25, 0.25, 0.25, 0.25}, "device 1: cut inside blocks, kept whole and multiplied with zeros outside its columns: "
                                 "attn_output columns 16..32 in 32-value Q8_0 blocks: holds 32 (+100%)"},
      {{0.5, 0.25, 0.25}, "device 2: cut inside blocks, kept whole and multiplied with zeros outside its columns: "
                          "attn_output columns 48..64 in 32-value Q8_0 blocks: holds 32 (+100%)"}};
  for (const auto& [shares, line] : cases) {
    test::Rig rig(m, shares);
    EXPECT_EQ(test::greedy(*rig.engine, {1}, 48), want) << "devices " << shares.size();
    const std::string note = describe_block_cuts(m, rig.engine->plan());
    if (line.empty()) EXPECT_EQ(note, "");
    else EXPECT_NE(note.find(line), std::string::npos) << note;
  }
  // One device: no cuts, nothing to report.
  EXPECT_EQ(describe_block_cuts(m, one.engine->plan()), "");
}

TEST(Stories260K, ZeroShareDeviceDoesNotChangeTheResult) {
  const auto want = stories_reference();
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/stories260K.bin");
  test::Rig rig(m, {0.5, 0.0, 0.5});
  EXPECT_EQ(test::greedy(*rig.engine, {1}, 64), want);
}

}  // namespace
}  // namespace airtp

namespace airtp {
namespace {

// llama.cpp's -b: a prompt longer than the batch runs in batches, with the same logits at every
// position as one pass (to float rounding of the batched products) and the same KV cache after.
TEST(BundledModel, BatchesGiveTheLogitsOfOnePass) {
  const Model m = load_model(std::string(AIRTP_SOURCE_DIR) + "/models/airtp-kjv-q8_0.gguf");
  const auto tokens = m.tokenizer.encode("And God said, Let there be light: and there was light.", true);
  ASSERT_GT(tokens.size(), 7u);
  test::Rig whole(m, {0.5, 0.5}), batched(m, {0.5, 0.5});
  batched.engine->set_max_batch(3);
  const auto a = whole.engine->forward(tokens, 0, true);
  const auto b = batched.engine->forward(tokens, 0, true);
  ASSERT_EQ(a.size(), b.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num = std::max(num, static_cast<double>(std::abs(a[i] - b[i])));
    den = std::max(den, static_cast<double>(std::abs(a[i])));
  }
  EXPECT_LT(num / den, 1e-5);
  // The next token sees the same cache either way.
  const int next = 42, pos = static_cast<int>(tokens.size());
  const auto x = whole.engine->forward(std::vector<int>{next}, pos), y = batched.engine->forward(std::vector<int>{next}, pos);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], 1e-5 * den) << i;
  EXPECT_THROW(batched.engine->set_max_batch(0), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
