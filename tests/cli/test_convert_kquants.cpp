// `airtp convert --type T` to each k-quant type, run as the binary: per tensor, the converted
// file's quantization error against the f16 tensor is at most 1.1x llama-quantize's for the
// same tensor in its same-type file (../shared/models/quantized/dequant-reference.json), and the
// converted file loads and generates llama.cpp's greedy continuation.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/gguf_file.h"
#include "tensor/type_traits.h"

namespace {

namespace fs = std::filesystem;

struct Case {
  const char* type;
  const char* llama_file;  // llama-quantize's file whose tensors of `type` set the bar
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.type; }

constexpr Case kCases[] = {
    {"Q2_K", "airtp-kjv-q2_k.gguf"},
    {"Q3_K", "airtp-kjv-q3_k_m.gguf"},
    {"Q4_K", "airtp-kjv-q4_k_m.gguf"},
    {"Q5_K", "airtp-kjv-q5_k_m.gguf"},
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int run(const std::string& args, const fs::path& out, const fs::path& err) {
  const std::string cmd = std::string("timeout 300 ") + AIRTP_BINARY + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<float> values(const airtp::gguf::TensorInfo& t) {
  uint64_t n = 1;
  for (int d = 0; d < t.n_dims; ++d) n *= t.ne[d];
  std::vector<float> v(n);
  airtp::type_traits(t.type).to_float(t.data, v.data(), static_cast<int64_t>(n));
  return v;
}

class ConvertKQuant : public ::testing::TestWithParam<Case> {};

TEST_P(ConvertKQuant, ErrorWithinLlamaQuantizesAndTheFileGenerates) {
  const Case c = GetParam();
  const std::string shared = std::string(AIRTP_SHARED_DIR) + "/models/quantized";
  const std::string json_path = shared + "/dequant-reference.json";
  if (!fs::exists(json_path)) GTEST_SKIP() << "needs " << shared << " (../shared/models/quantized)";
  std::ifstream jf(json_path);
  const nlohmann::json ref = nlohmann::json::parse(jf).at(c.llama_file);

  const fs::path dir = fs::temp_directory_path() / ("airtp-convert-kquants-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / (std::string(c.type) + ".gguf");
  const std::string f16 = std::string(AIRTP_SOURCE_DIR) + "/models/airtp-kjv-f16.gguf";
  ASSERT_EQ(run("convert " + f16 + " " + out.string() + " --type " + c.type, dir / "c.out", dir / "c.err"), 0)
      << slurp(dir / "c.err");

  const auto src = airtp::gguf::File::open(f16);
  const auto conv = airtp::gguf::File::open(out.string());
  EXPECT_EQ(conv.get_int_opt("general.quantization_version"), 2);
  EXPECT_EQ(conv.get_int_opt("general.file_type"), airtp::find_type(c.type)->file_type);
  int compared = 0;
  for (const auto& [name, r] : ref.items()) {
    if (r.at("type").get<std::string>() != c.type) continue;
    const auto* a = src.find_tensor(name);
    const auto* b = conv.find_tensor(name);
    ASSERT_NE(a, nullptr) << name;
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(airtp::dtype_name(b->type), c.type) << name << " was not stored as " << c.type;
    const auto x = values(*a), y = values(*b);
    ASSERT_EQ(x.size(), y.size()) << name;
    double ss = 0;
    for (size_t i = 0; i < x.size(); ++i) ss += (static_cast<double>(y[i]) - x[i]) * (static_cast<double>(y[i]) - x[i]);
    const double rms = std::sqrt(ss / static_cast<double>(x.size()));
    const double llama = r.at("rms_err_vs_f16").get<double>();
    EXPECT_LE(rms, 1.1 * llama) << c.type << " " << name << ": rms error " << rms << ", llama-quantize " << llama;
    EXPECT_GT(rms, 0.0) << name << ": no quantization error at all means nothing was quantized";
    ++compared;
  }
  EXPECT_GT(compared, 0) << c.llama_file << " has no " << c.type << " tensor";

  ASSERT_EQ(run("generate -m " + out.string() + " -p 'In the beginning God created' -n 8 --temp 0", dir / "g.out",
                dir / "g.err"),
            0)
      << slurp(dir / "g.err");
  // llama.cpp's greedy continuation, the same for every file it quantized (the README there).
  EXPECT_NE(slurp(dir / "g.out").find("In the beginning God created, and the LORD"), std::string::npos)
      << slurp(dir / "g.out");
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Types, ConvertKQuant, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.type); });

}  // namespace
