// airtp random-model's writer: the file loads with the asked shape, its matrices have the
// documented distribution (uniform, std 0.02, mean 0: checked from the decoded values, not from
// the generator), norms are 1, and the seed alone decides the bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "model/model.h"
#include "model/model_error.h"
#include "model/random_model.h"

using namespace airtp;

namespace {
ModelConfig small() {
  return {.name = "r", .dim = 128, .hidden_dim = 320, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
          .vocab_size = 300, .max_seq_len = 64, .tied_output = false};
}
std::string tmp(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }
std::vector<char> bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
}  // namespace

TEST(RandomModel, LoadsWithTheShapeAndDistribution) {
  for (DType t : {DType::F32, DType::F16, DType::Q8_0}) {
    const std::string p = tmp("airtp-random-model.gguf");
    write_random_gguf(small(), t, 7, p);
    const Model m = load_model(p);
    EXPECT_EQ(m.config.dim, 128);
    EXPECT_EQ(m.config.hidden_dim, 320);
    EXPECT_EQ(m.config.n_layers, 2);
    EXPECT_EQ(m.config.n_kv_heads, 2);
    EXPECT_EQ(m.config.vocab_size, 300);
    EXPECT_FALSE(m.config.tied_output);
    EXPECT_EQ(m.weight_type, t);
    EXPECT_TRUE(m.tokenizer.empty());
    const Matrix& w = m.weights.layers[1].w_down;  // [dim, hidden]
    ASSERT_EQ(w.rows, 128);
    ASSERT_EQ(w.cols, 320);
    double s = 0, s2 = 0, amax = 0;
    std::vector<float> row(320);
    for (int r = 0; r < w.rows; ++r) {
      dequantize_row(w, r, row.data());
      for (float v : row) {
        s += v;
        s2 += static_cast<double>(v) * v;
        amax = std::max(amax, std::fabs(static_cast<double>(v)));
      }
    }
    const double n = 128.0 * 320.0, mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 4 * 0.02 / std::sqrt(n)) << dtype_name(t);
    EXPECT_NEAR(sd, 0.02, 0.02 * 0.02) << dtype_name(t);             // 2 % of sd: ~5 standard errors
    EXPECT_LE(amax, 0.02 * std::sqrt(3.0) * 1.01) << dtype_name(t);   // uniform: bounded at sqrt(3) sd
    EXPECT_GT(amax, 0.02 * std::sqrt(3.0) * 0.95) << dtype_name(t);
    for (int i = 0; i < 128; ++i) ASSERT_EQ(m.weights.layers[0].attn_norm[i], 1.0f);
    std::filesystem::remove(p);
  }
}

TEST(RandomModel, SeedDecidesTheBytes) {
  const std::string a = tmp("airtp-random-a.gguf"), b = tmp("airtp-random-b.gguf"), c = tmp("airtp-random-c.gguf");
  write_random_gguf(small(), DType::Q8_0, 3, a);
  write_random_gguf(small(), DType::Q8_0, 3, b);
  write_random_gguf(small(), DType::Q8_0, 4, c);
  EXPECT_EQ(bytes(a), bytes(b));
  EXPECT_NE(bytes(a), bytes(c));
  EXPECT_EQ(bytes(a).size(), bytes(c).size());
  for (const auto& p : {a, b, c}) std::filesystem::remove(p);
}

TEST(RandomModel, InconsistentShapeIsAnError) {
  ModelConfig c = small();
  c.n_kv_heads = 3;  // 4 heads do not group into 3
  EXPECT_THROW(write_random_gguf(c, DType::Q8_0, 1, tmp("airtp-random-bad.gguf")), ModelError);
  EXPECT_FALSE(std::filesystem::exists(tmp("airtp-random-bad.gguf")));
}
