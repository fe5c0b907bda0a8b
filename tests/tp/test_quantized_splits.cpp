// Tensor parallelism on the quantization types real GGUF files use (llama.cpp's files of the
// bundled model, ../shared/models/quantized): every split, N = 1..8 and an uneven one, gives the
// single device's greedy tokens. Attention output columns are cut at 32-wide heads, inside the
// k-quants' 256-value blocks, so this also checks the padded block cuts (tp/shard.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine_fixture.h"
#include "tp/shard.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;

const std::string kDir = std::string(AIRTP_SHARED_DIR) + "/models/quantized";

std::vector<std::string> quantized_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kDir, ec))
    if (e.path().extension() == ".gguf") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(QuantizedSplits, EverySplitGivesTheSingleDeviceTokens) {
  const auto files = quantized_files();
  if (files.empty()) GTEST_SKIP() << "needs " << kDir << " (../shared absent)";
  EXPECT_GE(files.size(), 9u);
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const Model m = load_model(kDir + "/" + name);
    const auto prompt = m.tokenizer.encode("In the beginning God created", true);
    test::Rig one(m, {1.0}, 1);
    const auto want = test::greedy(*one.engine, prompt, 12);
    std::vector<std::vector<double>> splits;
    for (int n = 2; n <= 8; ++n) splits.push_back(test::Rig::even(n));
    splits.push_back({0.4, 0.3, 0.2, 0.1});
    bool cut_inside = false;
    for (const auto& shares : splits) {
      test::Rig rig(m, shares, 1);
      EXPECT_EQ(test::greedy(*rig.engine, prompt, 12), want) << shares.size() << " devices";
      cut_inside = cut_inside || !describe_block_cuts(m, rig.engine->plan()).empty();
    }
    // The k-quant files cut attention output inside blocks for some split.
    if (name.find("_k") != std::string::npos) {
      EXPECT_TRUE(cut_inside);
    }
  }
}

}  // namespace
}  // namespace airtp
