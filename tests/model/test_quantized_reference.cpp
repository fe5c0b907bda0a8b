// Files llama.cpp quantized (../shared/models/quantized) read by airtp: every tensor's type,
// shape and dequantized values against dequant-reference.json (llama.cpp's own dequantizer's
// sum, sum of squares, first 8 and last 4 values); plus hand-built blocks per k-quant type
// decoded to hand-computed values.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/gguf_file.h"
#include "model/gguf_format.h"
#include "tensor/fp16.h"
#include "tensor/type_traits.h"
#include "tensor/types/kquants.h"

namespace airtp {
namespace {

// The files compared, each type helper adding its own (one line per file; models/ = this repo).
constexpr const char* kFiles[] = {
    "models/airtp-kjv-q8_0.gguf",
    "airtp-kjv-q2_k.gguf",
    "airtp-kjv-q3_k_m.gguf",
    "airtp-kjv-q4_k_m.gguf",
    "airtp-kjv-q5_k_m.gguf",
};

// Added by the Q6_K branch; remove at merge (every tensor of every file is then compared, and
// every file is read through gguf::File).
const std::set<std::string> kNotYetReadTypes = {"Q6_K"};

std::string shared_dir() { return std::string(AIRTP_SHARED_DIR) + "/models/quantized"; }

struct Tensor {
  std::string name;
  uint32_t ggml_type = 0;
  std::vector<uint64_t> shape;
  const uint8_t* data = nullptr;
};

// The tensor directory of a GGUF file, read here field by field (magic, counts, metadata
// skipped, tensor infos, aligned data start). Only for files airtp cannot open yet because they
// hold a type of kNotYetReadTypes; the others go through gguf::File.
std::vector<Tensor> raw_tensor_directory(const std::vector<uint8_t>& bytes) {
  size_t pos = 0;
  auto take = [&](size_t n) {
    if (pos + n > bytes.size()) throw std::runtime_error("raw GGUF reader: truncated file");
    const uint8_t* p = bytes.data() + pos;
    pos += n;
    return p;
  };
  auto u32 = [&] { uint32_t v; std::memcpy(&v, take(4), 4); return v; };
  auto u64 = [&] { uint64_t v; std::memcpy(&v, take(8), 8); return v; };
  auto str = [&] { const uint64_t n = u64(); const auto* p = take(n); return std::string(reinterpret_cast<const char*>(p), n); };
  if (u32() != gguf::kMagic) throw std::runtime_error("raw GGUF reader: bad magic");
  u32();  // version
  const uint64_t n_tensors = u64(), n_kv = u64();
  uint32_t alignment = gguf::kDefaultAlignment;
  constexpr uint32_t kString = 8, kArray = 9, kU32 = 4;
  auto skip_value = [&](uint32_t type, auto& self) -> void {
    if (type == kString) {
      str();
    } else if (type == kArray) {
      const uint32_t elem = u32();
      const uint64_t count = u64();
      for (uint64_t i = 0; i < count; ++i) self(elem, self);
    } else {
      take(gguf::value_type_size(type));
    }
  };
  for (uint64_t k = 0; k < n_kv; ++k) {
    const std::string key = str();
    const uint32_t type = u32();
    if (key == "general.alignment" && type == kU32) {
      alignment = u32();
    } else {
      skip_value(type, skip_value);
    }
  }
  std::vector<Tensor> out(n_tensors);
  std::vector<uint64_t> offsets(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    out[i].name = str();
    const uint32_t dims = u32();
    for (uint32_t d = 0; d < dims; ++d) out[i].shape.push_back(u64());
    out[i].ggml_type = u32();
    offsets[i] = u64();
  }
  const size_t data_start = (pos + alignment - 1) / alignment * alignment;
  for (uint64_t i = 0; i < n_tensors; ++i) out[i].data = bytes.data() + data_start + offsets[i];
  return out;
}

void expect_rel(double got, double want, double tol, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), tol * std::fabs(want)) << what << ": got " << got << ", llama.cpp " << want;
}
void expect_close(double got, double want, const std::string& what) {
  EXPECT_LE(std::fabs(got - want), 1e-6 + 1e-6 * std::fabs(want)) << what << ": got " << got << ", llama.cpp " << want;
}

// Decodes the tensor with the library's codec and compares it with the JSON entry.
void compare_tensor(const Tensor& t, const nlohmann::json& ref, const std::string& where) {
  const std::string what = where + " " + t.name;
  const TypeTraits* tr = find_ggml_type(t.ggml_type);
  ASSERT_NE(tr, nullptr) << what << ": type " << t.ggml_type;
  ASSERT_EQ(std::string(tr->name), ref.at("type").get<std::string>()) << what;
  ASSERT_EQ(t.shape, ref.at("shape").get<std::vector<uint64_t>>()) << what;
  uint64_t n = 1;
  for (uint64_t d : t.shape) n *= d;
  std::vector<float> v(n);
  tr->to_float(t.data, v.data(), static_cast<int64_t>(n));
  double sum = 0, sum_sq = 0;
  for (float f : v) {
    sum += f;
    sum_sq += static_cast<double>(f) * f;
  }
  expect_rel(sum, ref.at("sum").get<double>(), 1e-6, what + " sum");
  expect_rel(sum_sq, ref.at("sum_sq").get<double>(), 1e-6, what + " sum_sq");
  const auto first8 = ref.at("first8").get<std::vector<double>>();
  const auto last4 = ref.at("last4").get<std::vector<double>>();
  for (size_t i = 0; i < first8.size(); ++i) expect_close(v[i], first8[i], what + " value " + std::to_string(i));
  for (size_t i = 0; i < last4.size(); ++i)
    expect_close(v[n - last4.size() + i], last4[i], what + " value " + std::to_string(n - last4.size() + i));
}

class QuantizedReference : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantizedReference, EveryTensorMatchesLlamaCpp) {
  const std::string name = GetParam();
  const bool in_repo = name.rfind("models/", 0) == 0;
  const std::string path = in_repo ? std::string(AIRTP_SOURCE_DIR) + "/" + name : shared_dir() + "/" + name;
  const std::string json_path = shared_dir() + "/dequant-reference.json";
  if (!std::filesystem::exists(json_path) || !std::filesystem::exists(path))
    GTEST_SKIP() << "needs " << shared_dir() << " (../shared/models/quantized) with " << name;
  std::ifstream jf(json_path);
  const nlohmann::json all = nlohmann::json::parse(jf);
  const std::string key = std::filesystem::path(name).filename().string();
  ASSERT_TRUE(all.contains(key)) << key;
  const nlohmann::json& ref = all.at(key);

  const std::vector<uint8_t> bytes = [&] {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
  }();
  const std::vector<Tensor> raw = raw_tensor_directory(bytes);
  bool skips = false;
  for (const Tensor& t : raw) skips |= kNotYetReadTypes.count(gguf::ggml_type_name(t.ggml_type)) > 0;
  std::vector<Tensor> tensors;
  std::optional<gguf::File> file;  // owns the mapping the tensors point into
  if (!skips) {
    file = gguf::File::open(path);
    for (const auto& ti : file->tensors()) {
      Tensor t{ti.name, ti.ggml_type, {}, ti.data};
      for (int d = 0; d < ti.n_dims; ++d) t.shape.push_back(ti.ne[d]);
      tensors.push_back(t);
    }
  } else {
    tensors = raw;
  }
  ASSERT_EQ(tensors.size(), ref.size()) << name << ": tensor count";
  int compared = 0;
  for (const Tensor& t : tensors) {
    ASSERT_TRUE(ref.contains(t.name)) << name << ": " << t.name << " is not in the JSON";
    const nlohmann::json& r = ref.at(t.name);
    if (kNotYetReadTypes.count(r.at("type").get<std::string>())) continue;
    compare_tensor(t, r, name);
    ++compared;
  }
  EXPECT_GT(compared, 0) << name;
}

INSTANTIATE_TEST_SUITE_P(Files, QuantizedReference, ::testing::ValuesIn(kFiles), [](const auto& info) {
  std::string s = std::filesystem::path(info.param).stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
});

// ---- hand-built blocks ---------------------------------------------------------------------

std::vector<float> decode(DType type, const void* block) {
  std::vector<float> out(256);
  type_traits(type).to_float(block, out.data(), 256);
  return out;
}

TEST(KQuantBlocks, Q2KDecodesScaleTimesQuantMinusMinimum) {
  BlockQ2_K b{};
  b.d = fp32_to_fp16(0.5f);
  b.dmin = fp32_to_fp16(0.25f);
  b.scales[0] = 0x21;  // values 0..15: scale 1, minimum 2
  b.scales[2] = 0x03;  // values 32..47: scale 3, minimum 0
  b.qs[0] = 0x1B;      // value 0: q 3; value 32: q 2; value 64: q 1; value 96: q 0
  b.qs[1] = 0x01;      // value 1: q 1
  const auto v = decode(DType::Q2_K, &b);
  EXPECT_EQ(v[0], 0.5f * 1 * 3 - 0.25f * 2);
  EXPECT_EQ(v[1], 0.5f * 1 * 1 - 0.25f * 2);
  EXPECT_EQ(v[2], -0.5f);               // q 0: just the minimum
  EXPECT_EQ(v[32], 0.5f * 3 * 2);       // sub-block 2
  EXPECT_EQ(v[64], 0.0f);               // sub-block 4: scale 0, minimum 0
  EXPECT_EQ(v[255], 0.0f);
}

TEST(KQuantBlocks, Q3KDecodesSignedScalesAndTheHighBit) {
  BlockQ3_K b{};
  b.d = fp32_to_fp16(2.0f);
  // Scale 0 = 33 - 32 = 1: low nibble 1 (byte 0), top bits 2 (byte 8, bits 0-1).
  b.scales[0] = 0x01;
  b.scales[8] = 0x02;
  // Scale 9 = 0 - 32 = -32: low nibble 0 (high nibble of byte 1), top bits 0 (byte 9, bits 4-5).
  b.qs[0] = 0x03;       // value 0: low bits 3
  b.hmask[0] = 0x01;    // value 0: high bit set, so no -4: q = 3
  // value 1: low bits 0, high bit clear: q = -4
  // value 144 (sub-block 9): byte 32*1 + 16 = 48 of qs, bits 0-1 -> 2; high bit clear: q = -2
  b.qs[48] = 0x02;
  const auto v = decode(DType::Q3_K, &b);
  EXPECT_EQ(v[0], 2.0f * 1 * 3);
  EXPECT_EQ(v[1], 2.0f * 1 * -4);
  EXPECT_EQ(v[144], 2.0f * -32 * -2);
  EXPECT_EQ(v[16], 2.0f * -32 * -4);  // sub-block 1: scale 0 - 32
}

TEST(KQuantBlocks, Q4KDecodesPackedSixBitScalesAndMinimums) {
  BlockQ4_K b{};
  b.d = fp32_to_fp16(1.0f);
  b.dmin = fp32_to_fp16(0.5f);
  const uint8_t sc[8] = {1, 0, 0, 0, 0, 0, 0, 37}, m[8] = {2, 0, 0, 0, 0, 0, 0, 45};
  kquant::pack_scale_min(sc, m, b.scales);
  // Sub-block 7 is stored split: low nibbles in byte 11, top bits in bytes 3 and 7.
  EXPECT_EQ(b.scales[11], (37 & 0xF) | ((45 & 0xF) << 4));
  EXPECT_EQ(b.scales[3] >> 6, 37 >> 4);
  EXPECT_EQ(b.scales[7] >> 6, 45 >> 4);
  b.qs[0] = 0x5A;    // value 0: 10, value 32: 5
  b.qs[96] = 0x30;   // value 192: 0, value 224: 3
  b.qs[127] = 0xF0;  // value 223: 0, value 255: 15
  const auto v = decode(DType::Q4_K, &b);
  EXPECT_EQ(v[0], 1.0f * 10 - 0.5f * 2);
  EXPECT_EQ(v[32], 0.0f);   // sub-block 1: scale 0, minimum 0
  EXPECT_EQ(v[223], 0.0f);  // sub-block 6 likewise
  EXPECT_EQ(v[224], 37.0f * 3 - 0.5f * 45);
  EXPECT_EQ(v[255], 37.0f * 15 - 0.5f * 45);
}

TEST(KQuantBlocks, Q5KAddsTheFifthBit) {
  BlockQ5_K b{};
  b.d = fp32_to_fp16(0.25f);
  b.dmin = fp32_to_fp16(1.0f);
  const uint8_t sc[8] = {4, 0, 0, 0, 0, 0, 0, 2}, m[8] = {1, 0, 0, 0, 0, 0, 0, 3};
  kquant::pack_scale_min(sc, m, b.scales);
  b.qs[0] = 0x07;     // value 0: low 7
  b.qh[0] = 0x01;     // value 0: +16 -> 23
  b.qs[127] = 0x30;   // value 255: low 3
  b.qh[31] = 0x80;    // value 255: bit 7 -> +16 -> 19
  const auto v = decode(DType::Q5_K, &b);
  EXPECT_EQ(v[0], 0.25f * 4 * 23 - 1.0f);
  EXPECT_EQ(v[1], -1.0f);
  EXPECT_EQ(v[255], 0.25f * 2 * 19 - 3.0f);
}

}  // namespace
}  // namespace airtp
