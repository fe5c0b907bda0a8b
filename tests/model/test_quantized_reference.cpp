// The quantized variants of the bundled model made by llama.cpp (../shared/models/quantized,
// README there) read as llama.cpp reads them: every tensor's type, shape and dequantized sums
// and end values against dequant-reference.json. And `airtp convert --type T` of the f16 model
// quantizes as well as llama-quantize: per tensor of type T, RMS error vs the f16 tensor at
// most 1.1x llama-quantize's, and the file loads and generates.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <string>
#include <vector>

#include "model/gguf_file.h"
#include "model/model.h"
#include "tensor/type_traits.h"
#include "test_util.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;

// Files checked, and the type `convert --type` is compared against each (tensors of that type
// in the file). One line per file.
struct Case {
  const char* file;
  const char* type;
  int tensors = 43;    // matrices of `type` in the llama.cpp file (the README's table)
  bool mix = false;    // a llama-quantize mix (K_M): its general.file_type names the mix
};
const Case kCases[] = {
    {"airtp-kjv-q8_0.gguf", "q8_0", 44},  // the project's, in models/
    {"airtp-kjv-q4_0.gguf", "q4_0"},
    {"airtp-kjv-q4_1.gguf", "q4_1"},
    {"airtp-kjv-q5_0.gguf", "q5_0"},
    {"airtp-kjv-q5_1.gguf", "q5_1"},
    {"airtp-kjv-q6_k.gguf", "q6_k", 44},
    // llama-quantize's mixes: the named type for most matrices, others for some (README there).
    {"airtp-kjv-q2_k.gguf", "q2_k", 25, true},
    {"airtp-kjv-q3_k_m.gguf", "q3_k", 25, true},
    {"airtp-kjv-q4_k_m.gguf", "q4_k", 39, true},
    {"airtp-kjv-q5_k_m.gguf", "q5_k", 39, true},
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

struct RunResult {
  int code;
  std::string out;
};

RunResult run_airtp(const std::string& args, const std::string& out_file) {
  const std::string cmd = std::string("timeout 300 ") + AIRTP_BINARY + " " + args + " >" + out_file + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream f(out_file);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, std::string(std::istreambuf_iterator<char>(f), {})};
}

TEST_P(QuantizedReference, ConvertQuantizesAsWellAsLlamaQuantize) {
  SKIP_WITHOUT_SHARED();
  const nlohmann::json& ref = reference()->at(GetParam().file);
  const std::string f16 = kModels + "/airtp-kjv-f16.gguf";
  const std::string out = test::temp_path(std::string("convert-") + GetParam().type + ".gguf");
  const RunResult conv = run_airtp("convert " + f16 + " " + out + " --type " + GetParam().type, out + ".log");
  ASSERT_EQ(conv.code, 0) << conv.out;

  const gguf::File src = gguf::File::open(f16), dst = gguf::File::open(out);
  const DType want = find_type(GetParam().type)->type;
  // The file says what it holds as llama-quantize's file does (every matrix in the type: the
  // pure file type, where llama-quantize's mixes name the mix).
  const gguf::File theirs = gguf::File::open(file_path(GetParam().file));
  EXPECT_EQ(dst.get_int("general.file_type"), find_type(GetParam().type)->file_type);
  if (!GetParam().mix) {
    EXPECT_EQ(dst.get_int("general.file_type"), theirs.get_int("general.file_type"));
  }
  EXPECT_EQ(dst.get_int("general.quantization_version"), 2);
  int compared = 0;
  for (const auto& [name, r] : ref.items()) {
    if (r.at("type").get<std::string>() != dtype_name(want)) continue;
    const gguf::TensorInfo* t = dst.find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    ASSERT_EQ(t->type, want) << name;
    const std::vector<float> a = dequantize(*t), b = dequantize(*src.find_tensor(name));
    ASSERT_EQ(a.size(), b.size()) << name;
    double se = 0;
    for (size_t i = 0; i < a.size(); ++i) se += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    const double rms = std::sqrt(se / static_cast<double>(a.size())), llama = r.at("rms_err_vs_f16").get<double>();
    EXPECT_LE(rms, 1.1 * llama) << name << ": RMS error " << rms << " vs llama-quantize's " << llama;
    std::printf("%s %s rms ratio %.4f\n", GetParam().type, name.c_str(), rms / llama);
    ++compared;
  }
  EXPECT_EQ(compared, GetParam().tensors) << "tensors of type " << dtype_name(want) << " in " << GetParam().file;

  // Greedy text of the quantized model: llama.cpp's is ", and the LORD, ..." for every file.
  const RunResult gen = run_airtp("generate -m " + out + " -n 8 --temp 0 -p \"In the beginning God created\"", out + ".gen");
  ASSERT_EQ(gen.code, 0) << gen.out;
  EXPECT_NE(gen.out.find("LORD"), std::string::npos) << gen.out;
}

INSTANTIATE_TEST_SUITE_P(Files, QuantizedReference, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.type); });

}  // namespace
}  // namespace airtp
