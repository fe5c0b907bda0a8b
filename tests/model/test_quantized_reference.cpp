// The quantized variants of the bundled model made by llama.cpp (../shared/models/quantized,
// README there) read as llama.cpp reads them: every tensor's type, shape and dequantized sums
// and end values against dequant-reference.json.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/gguf_file.h"
#include "model/model.h"
#include "tensor/type_traits.h"
#include "test_util.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;

// Files checked, and the type of most of their matrices. One line per file.
struct Case {
  const char* file;
  const char* type;
};
const Case kCases[] = {
    {"airtp-kjv-q8_0.gguf", "q8_0"},  // the project's, in models/
    {"airtp-kjv-q4_0.gguf", "q4_0"},
    {"airtp-kjv-q4_1.gguf", "q4_1"},
    {"airtp-kjv-q5_0.gguf", "q5_0"},
    {"airtp-kjv-q5_1.gguf", "q5_1"},
    {"airtp-kjv-q6_k.gguf", "q6_k"},
};

const std::string kShared = std::string(AIRTP_SHARED_DIR) + "/models/quantized";
const std::string kModels = std::string(AIRTP_SOURCE_DIR) + "/models";

std::string file_path(const std::string& file) {
  return (fs::exists(kModels + "/" + file) ? kModels : kShared) + "/" + file;
}

const nlohmann::json* reference() {
  static const nlohmann::json j = [] {
    std::ifstream f(kShared + "/dequant-reference.json");
    return f ? nlohmann::json::parse(f) : nlohmann::json();
  }();
  return j.is_null() ? nullptr : &j;
}

#define SKIP_WITHOUT_SHARED()                                                                          \
  if (!reference()) GTEST_SKIP() << "needs " << kShared << "/dequant-reference.json (../shared absent)"

std::vector<float> dequantize(const gguf::TensorInfo& t) {
  uint64_t n = 1;
  for (int d = 0; d < gguf::kMaxDims; ++d) n *= t.ne[d];
  std::vector<float> out(n);
  type_traits(t.type).to_float(t.data, out.data(), static_cast<int64_t>(n));
  return out;
}

void expect_near_rel(double got, double want, double rel, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), rel * std::fabs(want)) << what << ": " << got << " vs llama.cpp " << want;
}

class QuantizedReference : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizedReference, EveryTensorDequantizesAsLlamaCpp) {
  SKIP_WITHOUT_SHARED();
  const std::string path = file_path(GetParam().file);
  const nlohmann::json& ref = reference()->at(GetParam().file);
  const gguf::File f = gguf::File::open(path);
  ASSERT_EQ(f.tensors().size(), ref.size()) << path;
  for (const auto& [name, r] : ref.items()) {
    const gguf::TensorInfo* t = f.find_tensor(name);
    ASSERT_NE(t, nullptr) << path << ": " << name;
    EXPECT_EQ(dtype_name(t->type), r.at("type").get<std::string>()) << name;
    const auto shape = r.at("shape").get<std::vector<uint64_t>>();
    ASSERT_EQ(static_cast<size_t>(t->n_dims), shape.size()) << name;
    for (size_t d = 0; d < shape.size(); ++d) EXPECT_EQ(t->ne[d], shape[d]) << name << " dim " << d;
    const std::vector<float> v = dequantize(*t);
    double sum = 0, sum_sq = 0;
    for (float x : v) {
      sum += x;
      sum_sq += static_cast<double>(x) * x;
    }
    expect_near_rel(sum, r.at("sum").get<double>(), 1e-6, name + " sum");
    expect_near_rel(sum_sq, r.at("sum_sq").get<double>(), 1e-6, name + " sum_sq");
    const auto first8 = r.at("first8").get<std::vector<double>>(), last4 = r.at("last4").get<std::vector<double>>();
    for (size_t i = 0; i < first8.size(); ++i)
      EXPECT_LE(std::fabs(v[i] - first8[i]), 1e-6 * (1 + std::fabs(first8[i]))) << name << " value " << i;
    for (size_t i = 0; i < last4.size(); ++i) {
      const size_t k = v.size() - last4.size() + i;
      EXPECT_LE(std::fabs(v[k] - last4[i]), 1e-6 * (1 + std::fabs(last4[i]))) << name << " value " << k;
    }
  }
  // And the library's model loader takes the file whole (the types mixed as llama-quantize left them).
  const Model m = load_model(path, "");
  EXPECT_EQ(m.weights.layers.size(), static_cast<size_t>(m.config.n_layers));
}

INSTANTIATE_TEST_SUITE_P(Files, QuantizedReference, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.type); });

}  // namespace
}  // namespace airtp
