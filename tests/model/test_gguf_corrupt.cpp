// Malformed GGUF files, written with gguf::Writer or by cutting and patching a valid one: each
// must fail with a ModelError naming the file and the specific problem, and none may crash
// (these tests also run under ASan/UBSan).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>

#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "test_util.h"

namespace airtp {
namespace {

using gguf::ValueType;

// A small valid Llama GGUF: dim 32, hidden 64, 1 layer, 4 heads, 2 KV heads, vocab 8.
struct Spec {
  std::string arch = "llama";
  uint32_t version = gguf::kVersion;
  uint32_t alignment = gguf::kDefaultAlignment;
  int n_heads = 4;
  bool tokenizer = true;
  std::string tokenizer_model = "llama";
  std::set<std::string> skip;                                             // tensors left out
  std::map<std::string, std::pair<uint32_t, std::vector<uint64_t>>> alter;  // name -> type, ne
  std::function<void(gguf::Writer&)> more_kv;
  std::function<void(gguf::Writer&)> more_tensors;
};

std::vector<uint8_t> tensor_bytes(uint32_t type, const std::vector<uint64_t>& ne, float seed) {
  uint64_t n = 1;
  for (uint64_t d : ne) n *= d;
  std::vector<uint8_t> b;
  if (type == gguf::kTypeF32) {
    for (uint64_t i = 0; i < n; ++i) gguf::encode_scalar<float>(b, seed + 0.001f * static_cast<float>(i % 997));
  } else if (type == gguf::kTypeF16) {
    b.assign(2 * n, 0x3c);  // 0x3c3c: about 1.06
  } else if (type == gguf::kTypeQ8_0) {
    b.assign(n / 32 * 34, 1);
  } else {
    b.assign(n, 0);
  }
  return b;
}

gguf::Writer make_writer(const Spec& s) {
  gguf::Writer w(s.alignment);
  w.set_version(s.version);
  if (!s.arch.empty()) w.add_string("general.architecture", s.arch);
  w.add_string("general.name", "corrupt-test");
  w.add_uint32("llama.context_length", 16);
  w.add_uint32("llama.embedding_length", 32);
  w.add_uint32("llama.feed_forward_length", 64);
  w.add_uint32("llama.block_count", 1);
  w.add_uint32("llama.attention.head_count", static_cast<uint32_t>(s.n_heads));
  w.add_uint32("llama.attention.head_count_kv", 2);
  w.add_float32("llama.rope.freq_base", 10000.0f);
  w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  if (s.tokenizer) {
    w.add_string("tokenizer.ggml.model", s.tokenizer_model);
    w.add_string_array("tokenizer.ggml.tokens",
                       {"<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", "\xe2\x96\x81" "a", "ab"});
    w.add_float32_array("tokenizer.ggml.scores", {0, 0, 0, -1, -2, -3, -4, -5});
    w.add_int32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 1, 1});
    w.add_uint32("tokenizer.ggml.bos_token_id", 1);
  }
  if (s.more_kv) s.more_kv(w);
  auto add = [&](const std::string& name, uint32_t type, std::vector<uint64_t> ne) {
    if (s.skip.count(name)) return;
    if (auto it = s.alter.find(name); it != s.alter.end()) std::tie(type, ne) = it->second;
    const float seed = static_cast<float>(name.size());
    w.add_tensor(name, type, ne, tensor_bytes(type, ne, seed));
  };
  const uint32_t q8 = gguf::kTypeQ8_0, f32 = gguf::kTypeF32;
  add("token_embd.weight", q8, {32, 8});
  add("output_norm.weight", f32, {32});
  add("output.weight", q8, {32, 8});
  add("blk.0.attn_norm.weight", f32, {32});
  add("blk.0.attn_q.weight", q8, {32, 32});
  add("blk.0.attn_k.weight", q8, {32, 16});
  add("blk.0.attn_v.weight", q8, {32, 16});
  add("blk.0.attn_output.weight", q8, {32, 32});
  add("blk.0.ffn_norm.weight", f32, {32});
  add("blk.0.ffn_gate.weight", q8, {32, 64});
  add("blk.0.ffn_down.weight", q8, {64, 32});
  add("blk.0.ffn_up.weight", q8, {32, 64});
  if (s.more_tensors) s.more_tensors(w);
  return w;
}

std::string write_spec(const Spec& s, const std::string& name) {
  const std::string path = test::temp_path(name);
  make_writer(s).write(path);
  return path;
}

void expect_gguf_error(const Spec& s, const std::string& phrase) {
  const std::string path = write_spec(s, "bad.gguf");
  test::expect_model_error([&] { load_gguf(path); }, path, phrase);
  test::expect_model_error([&] { load_model(path); }, path, phrase);
}

std::vector<uint8_t> encode_u32_u64(uint32_t a, uint64_t b) {
  std::vector<uint8_t> p;
  gguf::encode_scalar<uint32_t>(p, a);
  gguf::encode_scalar<uint64_t>(p, b);
  return p;
}

TEST(GgufCorrupt, BaselineIsValid) {
  const std::string path = write_spec(Spec{}, "good.gguf");
  const Model m = load_model(path);
  EXPECT_EQ(m.config.dim, 32);
  EXPECT_EQ(m.config.kv_dim(), 16);
  EXPECT_EQ(m.config.vocab_size, 8);
  EXPECT_FALSE(m.config.tied_output);
  EXPECT_EQ(m.weight_type, DType::Q8_0);
  // Norm values are the ones written (seed = name length, + 0.001 * index).
  EXPECT_FLOAT_EQ(m.weights.output_norm[3], 18.0f + 0.003f);
  EXPECT_FLOAT_EQ(m.weights.layers[0].ffn_norm[31], 21.0f + 0.031f);
  // "▁▁a▁ab": ▁a (-4) merges at both places (leftmost first); ab (-5) then has no partner.
  EXPECT_EQ(m.tokenizer.encode(" a ab", true), (std::vector<int>{1, 3, 6, 6, 5}));

  Spec v2;
  v2.version = 2;
  EXPECT_NO_THROW(load_gguf(write_spec(v2, "v2.gguf")));
  Spec tied;
  tied.skip = {"output.weight"};
  const Model t = load_gguf(write_spec(tied, "tied.gguf"));
  EXPECT_TRUE(t.config.tied_output);
  EXPECT_EQ(t.weights.output.data, t.weights.token_embd.data);
  Spec notok;
  notok.tokenizer = false;
  const Model n = load_gguf(write_spec(notok, "notok.gguf"));
  EXPECT_TRUE(n.tokenizer.empty());
  EXPECT_EQ(n.config.vocab_size, 8);
  Spec aligned64;
  aligned64.alignment = 64;
  const std::string p64 = write_spec(aligned64, "a64.gguf");
  EXPECT_EQ(gguf::File::open(p64).alignment(), 64u);
  EXPECT_NO_THROW(load_gguf(p64));
  Spec nested;  // arrays of arrays are legal metadata
  nested.more_kv = [](gguf::Writer& w) {
    std::vector<uint8_t> p = encode_u32_u64(static_cast<uint32_t>(ValueType::ARRAY), 2);
    for (int i = 0; i < 2; ++i) {
      auto inner = encode_u32_u64(static_cast<uint32_t>(ValueType::STRING), 1);
      gguf::encode_string(inner, "x");
      p.insert(p.end(), inner.begin(), inner.end());
    }
    w.add_raw("test.nested", static_cast<uint32_t>(ValueType::ARRAY), p);
  };
  EXPECT_NO_THROW(load_gguf(write_spec(nested, "nested.gguf")));
}

TEST(GgufCorrupt, EveryTruncationIsReported) {
  const std::string good = write_spec(Spec{}, "good.gguf");
  const auto bytes = test::read_bytes(good);
  const size_t header = gguf::File::open(good).data_offset();
  ASSERT_LT(header, bytes.size());
  const std::string path = test::temp_path("cut.gguf");
  int checked = 0;
  for (size_t n = 0; n < bytes.size(); n += (n < header + 64 ? 1 : 29)) {
    test::write_bytes(path, bytes.data(), n);
    test::expect_model_error([&] { load_gguf(path); }, path, "truncated");
    if (n >= 4) test::expect_model_error([&] { load_model(path); }, path, "truncated");
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

TEST(GgufCorrupt, HeaderFields) {
  const std::string good = write_spec(Spec{}, "good.gguf");
  auto bytes = test::read_bytes(good);
  const std::string path = test::temp_path("patched.gguf");
  auto patched = [&](size_t at, const void* v, size_t n) {
    auto b = bytes;
    std::memcpy(b.data() + at, v, n);
    test::write_bytes(path, b);
  };
  patched(3, "X", 1);
  test::expect_model_error([&] { load_gguf(path); }, path, "wrong magic");
  // Without the magic, load_model tries llama2.c and says why that fails too.
  test::expect_model_error([&] { load_model(path); }, path, "not a valid llama2.c checkpoint");
  for (uint32_t v : {0u, 1u, 4u, 0xffffffffu}) {
    patched(4, &v, 4);
    test::expect_model_error([&] { load_gguf(path); }, path, "unsupported GGUF version " + std::to_string(v));
  }
  const uint64_t huge = uint64_t{1} << 61;
  patched(8, &huge, 8);
  test::expect_model_error([&] { load_gguf(path); }, path, "tensor count 2305843009213693952");
  patched(16, &huge, 8);
  test::expect_model_error([&] { load_gguf(path); }, path, "metadata count 2305843009213693952");
}

TEST(GgufCorrupt, Metadata) {
  Spec s;
  s.more_kv = [](gguf::Writer& w) {
    std::vector<uint8_t> p;
    gguf::encode_scalar<uint64_t>(p, uint64_t{1} << 62);
    p.insert(p.end(), {'a', 'b', 'c'});
    w.add_raw("test.string", static_cast<uint32_t>(ValueType::STRING), p);
  };
  expect_gguf_error(s, "string length 4611686018427387904");

  s.more_kv = [](gguf::Writer& w) {
    w.add_raw("test.array", static_cast<uint32_t>(ValueType::ARRAY),
              encode_u32_u64(static_cast<uint32_t>(ValueType::U32), uint64_t{1} << 60));
  };
  expect_gguf_error(s, "array count 1152921504606846976 of metadata 'test.array'");
  s.more_kv = [](gguf::Writer& w) {  // strings take at least 8 bytes each
    w.add_raw("test.array", static_cast<uint32_t>(ValueType::ARRAY),
              encode_u32_u64(static_cast<uint32_t>(ValueType::STRING), 100000));
  };
  expect_gguf_error(s, "array count 100000");

  s.more_kv = [](gguf::Writer& w) { w.add_raw("test.weird", 99, {1, 2, 3, 4}); };
  expect_gguf_error(s, "metadata 'test.weird' has unknown value type 99");
  s.more_kv = [](gguf::Writer& w) {
    w.add_raw("test.arr", static_cast<uint32_t>(ValueType::ARRAY), encode_u32_u64(42, 1));
  };
  expect_gguf_error(s, "array of unknown value type 42");

  s.more_kv = [](gguf::Writer& w) {  // arrays nested 6 deep
    std::vector<uint8_t> p = encode_u32_u64(static_cast<uint32_t>(ValueType::U8), 0);
    for (int i = 0; i < 5; ++i) {
      auto outer = encode_u32_u64(static_cast<uint32_t>(ValueType::ARRAY), 1);
      outer.insert(outer.end(), p.begin(), p.end());
      p = outer;
    }
    w.add_raw("test.deep", static_cast<uint32_t>(ValueType::ARRAY), p);
  };
  expect_gguf_error(s, "nests arrays deeper");

  s.more_kv = [](gguf::Writer& w) { w.add_uint32("llama.block_count", 1); };
  expect_gguf_error(s, "duplicate metadata key 'llama.block_count'");
}

TEST(GgufCorrupt, LlamaSemantics) {
  Spec s;
  s.arch = "gpt2";
  expect_gguf_error(s, "unsupported architecture 'gpt2'");
  s.arch = "\x11lama";  // a control character from the file never reaches the terminal
  expect_gguf_error(s, "unsupported architecture '\\x11lama'");
  s.arch = "";
  expect_gguf_error(s, "missing metadata key 'general.architecture'");

  s = Spec{};
  s.tokenizer_model = "bert";
  expect_gguf_error(s, "tokenizer.ggml.model = 'bert' is not supported");
  s.tokenizer_model = "gpt2";  // byte-level BPE is supported, but needs its merges
  expect_gguf_error(s, "missing metadata key 'tokenizer.ggml.merges'");

  s = Spec{};
  s.n_heads = 3;
  expect_gguf_error(s, "dim = 32 is not a multiple of n_heads = 3");
  s.n_heads = 0;
  expect_gguf_error(s, "llama.attention.head_count");

  Spec t;
  t.more_kv = [](gguf::Writer& w) { w.add_string("llama.rope.dimension_count", "eight"); };
  expect_gguf_error(t, "metadata 'llama.rope.dimension_count' has type string, expected an integer");
  t.more_kv = [](gguf::Writer& w) { w.add_uint32("llama.rope.dimension_count", 4); };
  expect_gguf_error(t, "partial rotary");
  t.more_kv = [](gguf::Writer& w) { w.add_uint32("llama.vocab_size", 9); };
  expect_gguf_error(t, "llama.vocab_size = 9");
  t.more_kv = [](gguf::Writer& w) { w.add_uint32("llama.expert_count", 8); };
  expect_gguf_error(t, "mixture-of-experts");
  t.more_kv = [](gguf::Writer& w) { w.add_uint32("tokenizer.ggml.eos_token_id", 99); };
  expect_gguf_error(t, "tokenizer.ggml.eos_token_id = 99");
  t.more_kv = [](gguf::Writer& w) { w.add_uint64("llama.context_length_x", ~uint64_t{0}); };
  EXPECT_NO_THROW(load_gguf(write_spec(t, "extra-key.gguf")));  // unknown keys are ignored

  Spec k;  // tokenizer arrays of different lengths
  k.tokenizer = false;
  k.more_kv = [](gguf::Writer& w) {
    w.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b", "c", "d", "e"});
    w.add_float32_array("tokenizer.ggml.scores", {0, 0, 0});
  };
  expect_gguf_error(k, "tokenizer.ggml.scores has 3 entries");
  k.more_kv = [](gguf::Writer& w) {
    w.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b", "c", "d", "e"});
    w.add_int32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 1, 77});
  };
  expect_gguf_error(k, "tokenizer.ggml.token_type[7] = 77");
}

// A header whose metadata count is 0 (or too small) makes the reader take metadata for tensor
// infos: the error says so instead of reporting a shape.
TEST(GgufCorrupt, MetadataCountTooSmallIsNamed) {
  for (uint64_t n_kv : {uint64_t{0}, uint64_t{1}}) {
    auto bytes = make_writer(Spec{}).bytes();
    std::memcpy(bytes.data() + 16, &n_kv, 8);  // magic, version, tensor count, then this
    const std::string path = test::temp_path("few-kv.gguf");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
    test::expect_model_error([&] { load_model(path); }, path, "the header's metadata count");
  }
}

TEST(GgufCorrupt, Tensors) {
  Spec s;
  s.alter["blk.0.attn_k.weight"] = {gguf::kTypeQ8_0, {32, 32}};
  expect_gguf_error(s, "tensor 'blk.0.attn_k.weight' has shape [32, 32], expected [32, 16]");
  s.alter = {{"blk.0.ffn_down.weight", {gguf::kTypeQ8_0, {32, 64}}}};  // transposed
  expect_gguf_error(s, "tensor 'blk.0.ffn_down.weight' has shape [32, 64], expected [64, 32]");
  s.alter = {{"blk.0.attn_q.weight", {gguf::kTypeQ8_0, {32, 32, 2}}}};
  expect_gguf_error(s, "has shape [32, 32, 2], expected [32, 32]");
  s.alter = {{"output_norm.weight", {gguf::kTypeF32, {32, 1, 1, 1, 1}}}};
  expect_gguf_error(s, "tensor 'output_norm.weight' has 5 dimensions");
  s.alter = {{"output_norm.weight", {gguf::kTypeF32, {uint64_t{1} << 40, uint64_t{1} << 40}}}};
  expect_gguf_error(s, "absurd shape");

  s.alter = {{"blk.0.attn_v.weight", {200, {32, 16}}}};
  expect_gguf_error(s, "tensor 'blk.0.attn_v.weight' has unknown tensor type 200");
  s.alter = {{"blk.0.attn_v.weight", {16, {32, 16}}}};
  expect_gguf_error(s, "tensor 'blk.0.attn_v.weight' has unsupported tensor type IQ2_XXS (16)");
  s.alter = {{"blk.0.attn_v.weight", {12, {32, 16}}}};
  expect_gguf_error(s, "Q4_K tensor 'blk.0.attn_v.weight' has row length 32, not a multiple of 256");
  s.alter = {{"blk.0.ffn_norm.weight", {gguf::kTypeF16, {32}}}};
  expect_gguf_error(s, "tensor 'blk.0.ffn_norm.weight' has type F16; vector weights (norms, rope factors) must be F32");
  s.alter.clear();
  s.more_tensors = [](gguf::Writer& w) {
    w.add_tensor("extra.weight", gguf::kTypeQ8_0, {48, 2}, std::vector<uint8_t>(102, 0));
  };
  expect_gguf_error(s, "Q8_0 tensor 'extra.weight' has row length 48, not a multiple of 32");

  s = Spec{};
  s.skip = {"blk.0.ffn_up.weight"};
  expect_gguf_error(s, "missing tensor 'blk.0.ffn_up.weight'");
  s.skip = {"token_embd.weight"};
  expect_gguf_error(s, "missing tensor 'token_embd.weight'");
  s.skip.clear();
  s.more_tensors = [](gguf::Writer& w) {
    w.add_tensor("output_norm.weight", gguf::kTypeF32, {32}, std::vector<uint8_t>(128, 0));
  };
  expect_gguf_error(s, "duplicate tensor name 'output_norm.weight'");

  const std::string path = test::temp_path("offset.gguf");
  {
    gguf::Writer w = make_writer(Spec{});
    w.set_tensor_offset("blk.0.ffn_norm.weight", 4);
    w.write(path);
    test::expect_model_error([&] { load_gguf(path); }, path,
                             "tensor 'blk.0.ffn_norm.weight' data offset 4 is misaligned");
  }
  {
    gguf::Writer w = make_writer(Spec{});
    w.set_tensor_offset("output.weight", uint64_t{1} << 40);
    w.write(path);
    test::expect_model_error([&] { load_gguf(path); }, path, "truncated file: data of tensor 'output.weight'");
  }
  {
    gguf::Writer w = make_writer(Spec{});
    w.set_tensor_offset("output.weight", ~uint64_t{0} - 31);  // aligned, and offset + size wraps
    w.write(path);
    test::expect_model_error([&] { load_gguf(path); }, path, "truncated");
  }
  Spec al;
  al.alignment = 12;
  expect_gguf_error(al, "general.alignment = 12 is not a power of two");
}

// Random byte corruption of the header region: loading either succeeds or throws ModelError.
TEST(GgufCorrupt, RandomBytePatchesNeverCrash) {
  const std::string good = write_spec(Spec{}, "good.gguf");
  const auto bytes = test::read_bytes(good);
  const size_t header = gguf::File::open(good).data_offset();
  const std::string path = test::temp_path("fuzz.gguf");
  std::mt19937 rng(12345);
  int rejected = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    auto b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const size_t at = 4 + rng() % (header - 4);
      b[at] = rng() % 3 == 0 ? 0xff : static_cast<uint8_t>(rng());
    }
    test::write_bytes(path, b);
    try {
      const Model m = load_gguf(path);
      // Whatever loaded is internally consistent.
      EXPECT_EQ(m.weights.layers.size(), static_cast<size_t>(m.config.n_layers));
      if (!m.tokenizer.empty()) (void)m.tokenizer.decode(m.tokenizer.encode("ab a", true));
    } catch (const ModelError& e) {
      ++rejected;
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(rejected, n / 2);
}

}  // namespace
}  // namespace airtp
