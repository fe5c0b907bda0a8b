// The bundled model against PyTorch (tools/dump_reference.py, float64): logits of both shipped
// files, the tokenizer against SentencePiece, on one device and split over four.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine_fixture.h"

namespace airtp {
namespace {

const std::string kRefPath = std::string(AIRTP_TEST_DATA) + "/kjv-reference.json";

nlohmann::json reference() {
  std::ifstream in(kRefPath);
  return nlohmann::json::parse(in);
}


// Returns the worst relative error of `file` against the reference logits `variant`.
double worst_error(const std::string& file, const std::string& variant, int devices) {
  const auto ref = reference();
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/" + ref["files"][file].get<std::string>());
  test::Rig rig(m, test::Rig::even(devices));
  double worst = 0;
  for (const auto& seq : ref["sequences"]) {
    const auto tokens = seq["tokens"].get<std::vector<int>>();
    const auto logits = rig.engine->forward(tokens, 0, true);
    const auto positions = seq["positions"].get<std::vector<size_t>>();
    for (size_t k = 0; k < positions.size(); ++k) {
      const auto w = seq["logits"][variant][k].get<std::vector<double>>();
      worst = std::max(worst, test::rel_err(&logits[positions[k] * w.size()], w));
    }
  }
  return worst;
}

TEST(BundledReference, F16FileMatchesPyTorch) {
  EXPECT_LT(worst_error("f16", "f16", 1), 1e-3);
  EXPECT_LT(worst_error("f16", "f16", 4), 1e-3);
}

TEST(BundledReference, Q8FileMatchesPyTorchOnItsWeights) {
  EXPECT_LT(worst_error("q8_0", "q8_0", 1), 1e-3);
  EXPECT_LT(worst_error("q8_0", "q8_0", 3), 1e-3);
}

// Stated bound for quantization itself: q8_0 logits stay within 3% of the logit range of the
// exact float weights.
TEST(BundledReference, Q8WithinStatedBoundOfFloatWeights) {
  const double e = worst_error("q8_0", "f32", 1);
  EXPECT_LT(e, 3e-2);
  EXPECT_GT(e, 1e-5);
}

TEST(BundledReference, TokenizerMatchesSentencePiece) {
  const auto ref = reference();
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/" + ref["files"]["q8_0"].get<std::string>());
  int checked = 0;
  for (const auto& c : ref["tokenizer"]["cases"]) {
    const auto text = c["text"].get<std::string>();
    EXPECT_EQ(m.tokenizer.encode(text, false), c["ids"].get<std::vector<int>>()) << text;
    EXPECT_EQ(m.tokenizer.decode(m.tokenizer.encode(text, false)), c["decoded"].get<std::string>()) << text;
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

}  // namespace
}  // namespace airtp
