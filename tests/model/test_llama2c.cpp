// llama2.c checkpoints: the real stories260K model (weights compared with bytes read by plain
// fread at offsets computed here from run.c's layout), the export's version-1 layout, the
// tiny fixture's tokenizer.bin, and malformed files.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "model/model.h"
#include "test_util.h"

namespace airtp {
namespace {

// Reads one float at float index `idx` after the 28-byte header, independently of the loader.
float raw_float(const std::string& path, long long idx) {
  FILE* f = std::fopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr);
  float v = NAN;
  EXPECT_EQ(std::fseek(f, 28 + 4 * idx, SEEK_SET), 0);
  EXPECT_EQ(std::fread(&v, 4, 1, f), 1u);
  std::fclose(f);
  return v;
}

float mat_at(const Matrix& m, int r, int c) {
  EXPECT_EQ(m.type, DType::F32);
  float v;
  std::memcpy(&v, static_cast<const uint8_t*>(m.data) + (static_cast<size_t>(r) * m.cols + c) * 4, 4);
  return v;
}

TEST(Llama2c, Stories260KHeaderAndLayout) {
  const std::string path = test::stories_path();
  const Model m = load_model(path);
  EXPECT_EQ(m.format, "llama2c");
  const ModelConfig& c = m.config;
  EXPECT_EQ(c.dim, 64);
  EXPECT_EQ(c.hidden_dim, 172);
  EXPECT_EQ(c.n_layers, 5);
  EXPECT_EQ(c.n_heads, 8);
  EXPECT_EQ(c.n_kv_heads, 4);
  EXPECT_EQ(c.vocab_size, 512);
  EXPECT_EQ(c.max_seq_len, 512);
  EXPECT_TRUE(c.tied_output);
  EXPECT_EQ(m.weight_type, DType::F32);
  EXPECT_TRUE(m.tokenizer.empty());  // no tokenizer.bin beside it
  ASSERT_EQ(m.weights.layers.size(), 5u);
  EXPECT_EQ(m.weights.output.data, m.weights.token_embd.data);

  // Float offsets of each array in run.c's order (dim 64, kv_dim 32, hidden 172, 5 layers).
  const long long emb = 0, rms_att = emb + 512 * 64, wq = rms_att + 5 * 64, wk = wq + 5 * 64 * 64,
                  wv = wk + 5 * 32 * 64, wo = wv + 5 * 32 * 64, rms_ffn = wo + 5 * 64 * 64,
                  w1 = rms_ffn + 5 * 64, w2 = w1 + 5 * 172 * 64, w3 = w2 + 5 * 64 * 172,
                  rms_final = w3 + 5 * 172 * 64;
  EXPECT_EQ(rms_final + 64 + 2 * 512 * 4, (1056540 - 28) / 4);  // the layout spans the file

  const auto& L = m.weights.layers;
  struct Probe {
    float got;
    long long idx;
  };
  const Probe probes[] = {
      {mat_at(m.weights.token_embd, 0, 0), emb},
      {mat_at(m.weights.token_embd, 511, 63), emb + 511 * 64 + 63},
      {mat_at(m.weights.output, 300, 17), emb + 300 * 64 + 17},
      {L[3].attn_norm[5], rms_att + 3 * 64 + 5},
      {mat_at(L[2].wq, 7, 11), wq + 2 * 4096 + 7 * 64 + 11},
      {mat_at(L[4].wk, 31, 63), wk + 4 * 2048 + 31 * 64 + 63},
      {mat_at(L[1].wv, 20, 2), wv + 1 * 2048 + 20 * 64 + 2},
      {mat_at(L[0].wo, 63, 0), wo + 63 * 64},
      {L[4].ffn_norm[63], rms_ffn + 4 * 64 + 63},
      {mat_at(L[1].w_gate, 171, 9), w1 + 1 * 172 * 64 + 171 * 64 + 9},
      {mat_at(L[1].w_down, 10, 100), w2 + 1 * 64 * 172 + 10 * 172 + 100},
      {mat_at(L[4].w_up, 3, 33), w3 + 4 * 172 * 64 + 3 * 64 + 33},
      {m.weights.output_norm[42], rms_final + 42},
  };
  for (const Probe& p : probes) EXPECT_EQ(p.got, raw_float(path, p.idx)) << "float index " << p.idx;
  // Norm weights of a trained model are O(1) and positive-ish; matrices are small: a shifted
  // layout would put matrix values where norms belong.
  for (int i = 0; i < 64; ++i) EXPECT_GT(m.weights.output_norm[i], 0.1f);
  EXPECT_EQ(m.config.total_params(), 260032);
}

// Writes stories260K in the export.py "version 1" layout and checks it loads to the same values.
TEST(Llama2c, Version1LayoutMatchesVersion0) {
  const Model v0 = load_llama2c(test::stories_path());
  const ModelConfig& c = v0.config;
  std::vector<uint8_t> out(256, 0);
  const uint32_t magic = 0x616b3432;
  const int32_t version = 1;
  const int32_t hdr[7] = {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.max_seq_len};
  std::memcpy(out.data(), &magic, 4);
  std::memcpy(out.data() + 4, &version, 4);
  std::memcpy(out.data() + 8, hdr, 28);
  out[36] = 1;  // shared classifier
  auto put = [&](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  };
  const auto& L = v0.weights.layers;
  for (auto& l : L) put(l.attn_norm, 64 * 4);
  for (auto& l : L) put(l.ffn_norm, 64 * 4);
  put(v0.weights.output_norm, 64 * 4);
  put(v0.weights.token_embd.data, v0.weights.token_embd.bytes());
  for (auto& l : L) put(l.wq.data, l.wq.bytes());
  for (auto& l : L) put(l.wk.data, l.wk.bytes());
  for (auto& l : L) put(l.wv.data, l.wv.bytes());
  for (auto& l : L) put(l.wo.data, l.wo.bytes());
  for (auto& l : L) put(l.w_gate.data, l.w_gate.bytes());
  for (auto& l : L) put(l.w_down.data, l.w_down.bytes());
  for (auto& l : L) put(l.w_up.data, l.w_up.bytes());
  const std::string path = test::temp_path("stories-v1.bin");
  test::write_bytes(path, out);

  const Model v1 = load_model(path);
  EXPECT_EQ(v1.config.dim, 64);
  EXPECT_EQ(v1.config.n_kv_heads, 4);
  EXPECT_TRUE(v1.config.tied_output);
  auto same = [](const void* a, const void* b, size_t n) { return std::memcmp(a, b, n) == 0; };
  EXPECT_TRUE(same(v1.weights.token_embd.data, v0.weights.token_embd.data, v0.weights.token_embd.bytes()));
  EXPECT_TRUE(same(v1.weights.output_norm, v0.weights.output_norm, 256));
  for (size_t i = 0; i < L.size(); ++i) {
    const auto& a = v1.weights.layers[i];
    EXPECT_TRUE(same(a.attn_norm, L[i].attn_norm, 256));
    EXPECT_TRUE(same(a.ffn_norm, L[i].ffn_norm, 256));
    EXPECT_TRUE(same(a.wq.data, L[i].wq.data, L[i].wq.bytes()));
    EXPECT_TRUE(same(a.wk.data, L[i].wk.data, L[i].wk.bytes()));
    EXPECT_TRUE(same(a.wv.data, L[i].wv.data, L[i].wv.bytes()));
    EXPECT_TRUE(same(a.wo.data, L[i].wo.data, L[i].wo.bytes()));
    EXPECT_TRUE(same(a.w_gate.data, L[i].w_gate.data, L[i].w_gate.bytes()));
    EXPECT_TRUE(same(a.w_down.data, L[i].w_down.data, L[i].w_down.bytes()));
    EXPECT_TRUE(same(a.w_up.data, L[i].w_up.data, L[i].w_up.bytes()));
  }

  // Version 2 (int8 groups) is refused by name.
  const int32_t v2 = 2;
  std::memcpy(out.data() + 4, &v2, 4);
  const std::string p2 = test::temp_path("stories-v2.bin");
  test::write_bytes(p2, out);
  test::expect_model_error([&] { load_model(p2); }, p2, "version 2");
}

TEST(Llama2c, SizeChecks) {
  const auto bytes = test::read_bytes(test::stories_path());
  ASSERT_EQ(bytes.size(), 1056540u);
  const std::string p = test::temp_path("stories-cut.bin");
  for (size_t n : {size_t{0}, size_t{3}, size_t{27}, size_t{28}, size_t{1000}, bytes.size() - 1}) {
    test::write_bytes(p, bytes.data(), n);
    test::expect_model_error([&] { load_model(p); }, p, "truncated");
  }
  test::write_bytes(p, bytes.data(), bytes.size() - 1);
  test::expect_model_error([&] { load_model(p); }, p, "is expected to be 1056540 bytes");
  auto longer = bytes;
  longer.push_back(0);
  test::write_bytes(p, longer);
  test::expect_model_error([&] { load_model(p); }, p, "file size mismatch");

  // A negative vocab announces a classifier at the end: the file is then too short.
  auto unshared = bytes;
  const int32_t neg = -512;
  std::memcpy(unshared.data() + 20, &neg, 4);
  test::write_bytes(p, unshared);
  test::expect_model_error([&] { load_model(p); }, p, "separate classifier");
  unshared.resize(unshared.size() + 512 * 64 * 4, 0);
  test::write_bytes(p, unshared);
  const Model m = load_model(p);
  EXPECT_FALSE(m.config.tied_output);
  EXPECT_NE(m.weights.output.data, m.weights.token_embd.data);
  EXPECT_EQ(m.weights.output.rows, 512);

  // Garbage header fields are named.
  auto bad = bytes;
  const int32_t heads = 7;
  std::memcpy(bad.data() + 12, &heads, 4);
  test::write_bytes(p, bad);
  test::expect_model_error([&] { load_model(p); }, p, "n_heads");
  const int32_t huge = 0x7fffffff;
  bad = bytes;
  std::memcpy(bad.data(), &huge, 4);
  test::write_bytes(p, bad);
  test::expect_model_error([&] { load_model(p); }, p, "dim = 2147483647");
}

TEST(Llama2c, MissingFiles) {
  const std::string p = test::temp_path("does-not-exist.bin");
  test::expect_model_error([&] { load_model(p); }, p, "cannot open model file");
  test::expect_model_error([&] { load_llama2c(test::stories_path(), p); }, p, "cannot open tokenizer file");
  const std::string dir = test::temp_dir().string();
  test::expect_model_error([&] { load_model(dir); }, dir, "cannot");
}

TEST(Llama2c, TinyWithTokenizer) {
  const std::string path = test::data_path("tiny.bin");
  const Model m = load_model(path, test::data_path("tiny-tokenizer.bin"));
  EXPECT_EQ(m.config.dim, 64);
  EXPECT_EQ(m.config.n_layers, 2);
  EXPECT_EQ(m.config.vocab_size, 320);
  EXPECT_FALSE(m.config.tied_output);
  ASSERT_FALSE(m.tokenizer.empty());
  EXPECT_EQ(m.tokenizer.vocab_size(), 320);
  EXPECT_EQ(m.tokenizer.bos(), 1);
  EXPECT_EQ(m.tokenizer.eos(), 2);
  EXPECT_EQ(m.tokenizer.piece(1), "<s>");
  EXPECT_EQ(m.tokenizer.type(0), Tokenizer::PieceType::Unknown);
  EXPECT_EQ(m.tokenizer.type(2), Tokenizer::PieceType::Control);
  EXPECT_EQ(m.tokenizer.piece(3 + 0x0A), "<0x0A>");
  EXPECT_EQ(m.tokenizer.type(3 + 0x0A), Tokenizer::PieceType::Byte);
  EXPECT_EQ(m.tokenizer.byte_piece(0x0A), 3 + 0x0A);
}

TEST(Llama2c, TokenizerCorruption) {
  const auto bytes = test::read_bytes(test::data_path("tiny-tokenizer.bin"));
  const std::string p = test::temp_path("tok-cut.bin");
  // Every prefix fails with a truncation error (the full file has exactly 320 entries).
  for (size_t n = 0; n < bytes.size(); n += (n < 200 ? 1 : 7)) {
    test::write_bytes(p, bytes.data(), n);
    test::expect_model_error([&] { load_llama2c_tokenizer(p, 320); }, p, "truncated");
  }
  test::write_bytes(p, bytes);
  EXPECT_NO_THROW(load_llama2c_tokenizer(p, 320));
  test::expect_model_error([&] { load_llama2c_tokenizer(p, 319); }, p, "remain after the 319 tokens");
  test::expect_model_error([&] { load_llama2c_tokenizer(p, 2); }, p, "at least 3 tokens");
  test::expect_model_error([&] { load_llama2c_tokenizer(p, 1 << 22); }, p, "truncated");
  auto bad = bytes;
  const int32_t huge_len = 0x7fffffff;
  std::memcpy(bad.data() + 8, &huge_len, 4);  // length of token 0
  test::write_bytes(p, bad);
  test::expect_model_error([&] { load_llama2c_tokenizer(p, 320); }, p, "length 2147483647 of token 0");
  const int32_t neg = -5;
  std::memcpy(bad.data() + 8, &neg, 4);
  test::write_bytes(p, bad);
  test::expect_model_error([&] { load_llama2c_tokenizer(p, 320); }, p, "length -5 of token 0");
}

}  // namespace
}  // namespace airtp
