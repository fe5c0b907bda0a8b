// The forward pass against logits computed independently by PyTorch (tools/model.py, float64)
// for the tiny random model in every file format, on one device and split over two.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine_fixture.h"

namespace airtp {
namespace {

nlohmann::json reference() {
  std::ifstream in(std::string(AIRTP_TEST_DATA) + "/tiny-reference.json");
  return nlohmann::json::parse(in);
}


struct Case {
  const char* file;
  const char* variant;  // which reference logits the file's weights correspond to
  double tol;
};

class TinyReference : public ::testing::TestWithParam<std::tuple<Case, int>> {};

TEST_P(TinyReference, LogitsMatchPyTorch) {
  const auto [c, devices] = GetParam();
  const auto ref = reference();
  // GGUF carries its tokenizer (and refuses another); the llama2.c file needs tokenizer.bin.
  const std::string file = c.file;
  const bool gguf = file.size() > 5 && file.substr(file.size() - 5) == ".gguf";
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/" + c.file,
                             gguf ? "" : std::string(AIRTP_TEST_DATA) + "/tiny-tokenizer.bin");
  test::Rig rig(m, test::Rig::even(devices));
  for (const auto& seq : ref["sequences"]) {
    const auto tokens = seq["tokens"].get<std::vector<int>>();
    const auto logits = rig.engine->forward(tokens, 0, true);
    const auto& want = seq["logits"][c.variant];
    const auto positions = seq["positions"].get<std::vector<size_t>>();
    ASSERT_EQ(want.size(), positions.size());
    for (size_t k = 0; k < positions.size(); ++k) {
      const auto w = want[k].get<std::vector<double>>();
      const size_t t = positions[k];
      EXPECT_LT(test::rel_err(&logits[t * w.size()], w), c.tol) << c.file << " position " << t << " devices " << devices;
    }
  }
}

// f32 and llama2.c: float32 arithmetic vs float64 reference. f16/q8_0 files are compared with
// the reference computed from the same rounded weights, so the bound is the same.
INSTANTIATE_TEST_SUITE_P(AllFormats, TinyReference,
                         ::testing::Combine(::testing::Values(Case{"tiny-f32.gguf", "f32", 1e-3}, Case{"tiny-f16.gguf", "f16", 1e-3},
                                                              Case{"tiny-q8_0.gguf", "q8_0", 1e-3}, Case{"tiny.bin", "f32", 1e-3}),
                                            ::testing::Values(1, 2)));

// Quantization error itself: the q8_0 file against the exact-weight reference stays within a
// stated bound (2% of the logit range), and far from it would mean a wrong dequantizer.
TEST(TinyReference, Q8WithinStatedBoundOfExactWeights) {
  const auto ref = reference();
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf");
  test::Rig rig(m, test::Rig::even(1));
  for (const auto& seq : ref["sequences"]) {
    const auto tokens = seq["tokens"].get<std::vector<int>>();
    const auto logits = rig.engine->forward(tokens, 0, true);
    const auto positions = seq["positions"].get<std::vector<size_t>>();
    for (size_t k = 0; k < positions.size(); ++k) {
      const auto w = seq["logits"]["f32"][k].get<std::vector<double>>();
      const double e = test::rel_err(&logits[positions[k] * w.size()], w);
      EXPECT_LT(e, 2e-2);
      EXPECT_GT(e, 0.0);  // the quantized model is not bit-identical to the exact one
    }
  }
}

}  // namespace
}  // namespace airtp
