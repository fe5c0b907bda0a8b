// GGUF loading of the tiny fixtures in three types, checked against the llama2.c copy of the
// same weights (decoded here by an independent fp16 / Q8_0 reader), and save_gguf round trips.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "test_util.h"

namespace airtp {
namespace {

// Element (r, c) of a matrix of any type, decoded from its bytes by the format definitions.
float element(const Matrix& m, int r, int c) {
  const uint8_t* row = static_cast<const uint8_t*>(m.data) + m.row_stride() * static_cast<size_t>(r);
  switch (m.type) {
    case DType::F32: {
      float v;
      std::memcpy(&v, row + 4 * static_cast<size_t>(c), 4);
      return v;
    }
    case DType::F16: {
      uint16_t h;
      std::memcpy(&h, row + 2 * static_cast<size_t>(c), 2);
      return test::half_to_float(h);
    }
    case DType::Q8_0: {
      const uint8_t* blk = row + 34 * static_cast<size_t>(c / 32);
      uint16_t d;
      std::memcpy(&d, blk, 2);
      return test::half_to_float(d) * static_cast<float>(static_cast<int8_t>(blk[2 + c % 32]));
    }
    default:  // the k-quants are decoded by tests/tensor/reference.h and test_quantized_reference
      break;
  }
  return NAN;
}

// Checks `got` decodes to `ref` (f32) within the rounding of got's type.
void expect_close(const Matrix& got, const Matrix& ref, const std::string& what) {
  ASSERT_EQ(got.rows, ref.rows) << what;
  ASSERT_EQ(got.cols, ref.cols) << what;
  int bad = 0;
  for (int r = 0; r < ref.rows; ++r)
    for (int c0 = 0; c0 < ref.cols; c0 += 32) {
      float amax = 0;
      for (int c = c0; c < std::min(c0 + 32, ref.cols); ++c) amax = std::max(amax, std::fabs(element(ref, r, c)));
      for (int c = c0; c < std::min(c0 + 32, ref.cols); ++c) {
        const float x = element(ref, r, c), y = element(got, r, c);
        // f16: half an ulp (2^-11 relative) plus subnormal spacing; q8_0: half a step of
        // amax/127, plus the fp16 rounding of the scale (2^-11 relative, times |q| <= 127).
        const float tol = got.type == DType::F32   ? 0.0f
                          : got.type == DType::F16 ? std::fabs(x) * 4.9e-4f + 3e-8f
                                                   : amax / 127.0f * 0.5f + amax * 4.9e-4f + 1e-7f;
        if (!(std::fabs(x - y) <= tol) && bad++ < 5)
          ADD_FAILURE() << what << " (" << r << "," << c << "): " << y << " vs " << x << " tol " << tol;
      }
    }
  // The quantized copies really are quantized (the tolerance is not vacuous).
  if (got.type != DType::F32) {
    double diff = 0;
    for (int c = 0; c < ref.cols; ++c) diff += std::fabs(element(ref, 0, c) - element(got, 0, c));
    EXPECT_GT(diff, 0.0) << what;
  }
}

void expect_norm_equal(const float* a, const float* b, int n, const std::string& what) {
  EXPECT_EQ(std::memcmp(a, b, sizeof(float) * static_cast<size_t>(n)), 0) << what;
}

void expect_model_close(const Model& got, const Model& ref) {
  const ModelConfig& c = ref.config;
  EXPECT_EQ(got.config.dim, c.dim);
  EXPECT_EQ(got.config.hidden_dim, c.hidden_dim);
  EXPECT_EQ(got.config.n_layers, c.n_layers);
  EXPECT_EQ(got.config.n_heads, c.n_heads);
  EXPECT_EQ(got.config.n_kv_heads, c.n_kv_heads);
  EXPECT_EQ(got.config.vocab_size, c.vocab_size);
  EXPECT_EQ(got.config.max_seq_len, c.max_seq_len);
  EXPECT_EQ(got.config.tied_output, c.tied_output);
  expect_close(got.weights.token_embd, ref.weights.token_embd, "token_embd");
  expect_close(got.weights.output, ref.weights.output, "output");
  expect_norm_equal(got.weights.output_norm, ref.weights.output_norm, c.dim, "output_norm");
  for (size_t l = 0; l < ref.weights.layers.size(); ++l) {
    const LayerWeights& a = got.weights.layers[l];
    const LayerWeights& b = ref.weights.layers[l];
    const std::string p = "layer " + std::to_string(l) + " ";
    expect_norm_equal(a.attn_norm, b.attn_norm, c.dim, p + "attn_norm");
    expect_norm_equal(a.ffn_norm, b.ffn_norm, c.dim, p + "ffn_norm");
    expect_close(a.wq, b.wq, p + "wq");
    expect_close(a.wk, b.wk, p + "wk");
    expect_close(a.wv, b.wv, p + "wv");
    expect_close(a.wo, b.wo, p + "wo");
    expect_close(a.w_gate, b.w_gate, p + "w_gate");
    expect_close(a.w_down, b.w_down, p + "w_down");
    expect_close(a.w_up, b.w_up, p + "w_up");
  }
}

TEST(Gguf, TinyConfigMatchesReference) {
  std::ifstream f(test::data_path("tiny-reference.json"));
  const auto ref = nlohmann::json::parse(f)["model"];
  const Model m = load_model(test::data_path("tiny-f32.gguf"));
  EXPECT_EQ(m.format, "gguf");
  EXPECT_EQ(m.config.name, "airtp-tiny");
  EXPECT_EQ(m.config.dim, ref["dim"].get<int>());
  EXPECT_EQ(m.config.hidden_dim, ref["hidden_dim"].get<int>());
  EXPECT_EQ(m.config.n_layers, ref["n_layers"].get<int>());
  EXPECT_EQ(m.config.n_heads, ref["n_heads"].get<int>());
  EXPECT_EQ(m.config.n_kv_heads, ref["n_kv_heads"].get<int>());
  EXPECT_EQ(m.config.vocab_size, ref["vocab_size"].get<int>());
  EXPECT_EQ(m.config.max_seq_len, ref["max_seq_len"].get<int>());
  EXPECT_FLOAT_EQ(m.config.norm_eps, ref["norm_eps"].get<float>());
  EXPECT_FLOAT_EQ(m.config.rope_theta, ref["rope_theta"].get<float>());
  EXPECT_EQ(m.config.tied_output, ref["tie_embeddings"].get<bool>());
  EXPECT_EQ(m.tokenizer.vocab_size(), 320);
}

TEST(Gguf, ThreeTypesDecodeToTheLlama2cWeights) {
  const Model ref = load_model(test::data_path("tiny.bin"));
  for (const auto& [file, type] : {std::pair{"tiny-f32.gguf", DType::F32}, {"tiny-f16.gguf", DType::F16},
                                   {"tiny-q8_0.gguf", DType::Q8_0}}) {
    SCOPED_TRACE(file);
    const Model m = load_model(test::data_path(file));
    EXPECT_EQ(m.weight_type, type);
    EXPECT_EQ(m.weights.layers[1].w_down.type, type);
    expect_model_close(m, ref);  // f32: bit-identical (tolerance 0)
  }
}

TEST(Gguf, ContainerMetadata) {
  const auto f = gguf::File::open(test::data_path("tiny-q8_0.gguf"));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_int("llama.block_count"), 2);
  EXPECT_EQ(f.get_int("general.file_type"), 7);
  EXPECT_EQ(f.get_bool_opt("tokenizer.ggml.add_bos_token"), true);
  EXPECT_EQ(f.get_string_array("tokenizer.ggml.tokens").size(), 320u);
  EXPECT_EQ(f.get_int_array("tokenizer.ggml.token_type")[1], 3);
  EXPECT_EQ(f.tensors().size(), 2u + 2u * 9u + 1u);
  const gguf::TensorInfo* t = f.find_tensor("blk.0.ffn_down.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->shape(), "[128, 64]");
  EXPECT_EQ(t->nbytes, 64u * 4u * 34u);
  EXPECT_EQ(f.find_tensor("nope"), nullptr);
  EXPECT_FALSE(f.get_int_opt("nope").has_value());
  test::expect_model_error([&] { f.get_int("general.name"); }, f.path(), "expected an integer");
  test::expect_model_error([&] { f.get_string("nope"); }, f.path(), "missing metadata key 'nope'");
}

TEST(Gguf, SaveRoundTripsFromLlama2c) {
  const Model ref = load_model(test::data_path("tiny.bin"), test::data_path("tiny-tokenizer.bin"));
  for (const auto& [type, fixture] : {std::pair{DType::F32, "tiny-f32.gguf"}, {DType::F16, "tiny-f16.gguf"},
                                      {DType::Q8_0, "tiny-q8_0.gguf"}}) {
    SCOPED_TRACE(fixture);
    const std::string path = test::temp_path(std::string("saved-") + fixture);
    save_gguf(ref, path, type);
    const Model m = load_model(path);
    EXPECT_EQ(m.weight_type, type);
    expect_model_close(m, ref);
    // The fixture writer (Python, numpy RNE fp16 and ggml's reference Q8_0) produced the same
    // encoded values: compare the weight bytes.
    const Model fx = load_model(test::data_path(fixture));
    EXPECT_EQ(std::memcmp(m.weights.layers[0].wq.data, fx.weights.layers[0].wq.data, fx.weights.layers[0].wq.bytes()), 0);
    EXPECT_EQ(std::memcmp(m.weights.output.data, fx.weights.output.data, fx.weights.output.bytes()), 0);
    // Tokenizer survives.
    ASSERT_EQ(m.tokenizer.vocab_size(), 320);
    for (int i = 0; i < 320; ++i) {
      EXPECT_EQ(m.tokenizer.piece(i), ref.tokenizer.piece(i));
      EXPECT_EQ(m.tokenizer.type(i), ref.tokenizer.type(i));
    }
  }
}

TEST(Gguf, SaveStories260KQ8FallsBackForOddRows) {
  const Model ref = load_model(test::stories_path());
  const std::string path = test::temp_path("stories-q8.gguf");
  save_gguf(ref, path, DType::Q8_0);
  const Model m = load_model(path);
  EXPECT_TRUE(m.config.tied_output);
  EXPECT_EQ(m.weights.output.data, m.weights.token_embd.data);
  EXPECT_EQ(m.weights.layers[0].wq.type, DType::Q8_0);
  EXPECT_EQ(m.weights.layers[0].w_down.type, DType::F16);  // rows of 172 are not Q8_0 blocks
  EXPECT_EQ(m.weights.layers[0].w_gate.type, DType::Q8_0);
  expect_model_close(m, ref);
  // Re-saving a quantized model as F32 dequantizes exactly.
  const std::string p32 = test::temp_path("stories-q8-f32.gguf");
  save_gguf(m, p32, DType::F32);
  const Model back = load_model(p32);
  for (int c = 0; c < 64; ++c) EXPECT_EQ(element(back.weights.layers[2].wk, 5, c), element(m.weights.layers[2].wk, 5, c));
}

}  // namespace
}  // namespace airtp
