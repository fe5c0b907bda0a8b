// Byte-level BPE: a hand-built vocabulary whose merges are worked out by hand, the pre-tokenizer
// table, GGUF loading and its errors, and llama.cpp's reference tokenizations of the Llama 2
// (SentencePiece) and GPT-2 (byte-level BPE) vocabularies in ../shared/tokenizers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/gguf_writer.h"
#include "tensor/dtype.h"
#include "model/model.h"
#include "model/pretokenizer.h"
#include "test_util.h"

namespace airtp {
namespace {

using T = Tokenizer::PieceType;

// GPT-2's byte alphabet, written out independently of tokenizer_bpe.cpp.
std::string byte_char(int b) {
  static int map[256];
  static bool init = [] {
    int next = 256;
    for (int i = 0; i < 256; ++i)
      map[i] = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255) ? i : next++;
    return true;
  }();
  (void)init;
  const int cp = map[b];
  if (cp < 0x80) return std::string(1, static_cast<char>(cp));
  return {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
}

// Ids 0..255: the byte b spelled alone (so id == byte). Then merges by rank: "b c" (0),
// "a b" (1), "ab c" (2), "Ġ a" (3).
constexpr int kAb = 256, kBc = 257, kAbc = 258, kSpaceA = 259, kEnd = 260, kUser = 261;
Tokenizer toy_bpe(const std::string& pre = "gpt2") {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.push_back(byte_char(b));
  for (const char* p : {"ab", "bc", "abc", "\xc4\xa0" "a", "<|end|>", "<|user|>"}) pieces.push_back(p);
  std::vector<T> types(pieces.size(), T::Normal);
  types[kEnd] = T::Control;
  types[kUser] = T::UserDefined;
  return Tokenizer::byte_bpe(pieces, types, {"b c", "a b", "ab c", "\xc4\xa0 a"}, pre, kEnd, kEnd);
}

TEST(BpeTokenizer, AlphabetSpellsSpaceAsGWithDot) {
  EXPECT_EQ(byte_char(' '), "\xc4\xa0");  // U+0120 'Ġ', as in GPT-2's vocabulary
  EXPECT_EQ(byte_char('\n'), "\xc4\x8a");  // U+010A 'Ċ'
  const Tokenizer t = toy_bpe();
  for (int b = 0; b < 256; ++b) EXPECT_EQ(t.byte_piece(static_cast<uint8_t>(b)), b);
}

TEST(BpeTokenizer, MergesByRankNotPosition) {
  const Tokenizer t = toy_bpe();
  // "abc": "b c" (rank 0) beats the leftmost "a b" (rank 1); "a bc" is no merge.
  EXPECT_EQ(t.encode("abc", false), (std::vector<int>{'a', kBc}));
  EXPECT_EQ(t.encode("ab", false), (std::vector<int>{kAb}));
  EXPECT_EQ(t.encode("cab", false), (std::vector<int>{'c', kAb}));
  EXPECT_EQ(t.encode("abab", false), (std::vector<int>{kAb, kAb}));
  // The pre-tokenizer keeps the space with the word: " a" is one word, merged by "Ġ a".
  EXPECT_EQ(t.encode(" a", false), (std::vector<int>{kSpaceA}));
  // "a b": words "a" and " b"; "Ġ b" is no merge.
  EXPECT_EQ(t.encode("a b", false), (std::vector<int>{'a', ' ', 'b'}));
  // Bytes outside ASCII are their own symbols: é = C3 A9.
  EXPECT_EQ(t.encode("\xc3\xa9", false), (std::vector<int>{0xC3, 0xA9}));
  // No BOS for byte-level BPE unless the vocabulary says so; asked for, it is prepended.
  EXPECT_FALSE(t.add_bos());
  EXPECT_EQ(t.encode("ab", true), (std::vector<int>{kEnd, kAb}));
}

TEST(BpeTokenizer, Llama3TakesWholeWordsBeforeMerging) {
  // "abc" is a piece: Llama 3's ignore_merges takes it whole; GPT-2's rules merge to a + bc.
  EXPECT_EQ(toy_bpe("llama-bpe").encode("abc", false), (std::vector<int>{kAbc}));
  EXPECT_EQ(toy_bpe("gpt2").encode("abc", false), (std::vector<int>{'a', kBc}));
}

TEST(BpeTokenizer, SpecialTokens) {
  const Tokenizer t = toy_bpe();
  // Control pieces are text unless specials are parsed.
  EXPECT_EQ(t.encode("x<|end|>y", false, true), (std::vector<int>{'x', kEnd, 'y'}));
  EXPECT_EQ(t.encode("x<|end|>y", false),
            (std::vector<int>{'x', '<', '|', 'e', 'n', 'd', '|', '>', 'y'}));
  // User-defined pieces are always matched whole.
  EXPECT_EQ(t.encode("a<|user|>b", false), (std::vector<int>{'a', kUser, 'b'}));
  EXPECT_EQ(t.decode({'a', kUser, 'b'}), "a<|user|>b");
  EXPECT_EQ(t.decode({'a', kEnd, 'b'}), "ab");  // control tokens decode to nothing
  EXPECT_TRUE(t.is_end_of_generation(kEnd));
  EXPECT_FALSE(t.is_end_of_generation('a'));
}

TEST(BpeTokenizer, RoundTripsArbitraryBytes) {
  const Tokenizer t = toy_bpe();
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (const std::string& s : {all, std::string("a\xff" "b\xe2\x82 c\n\n\t x"), std::string("nul\0byte", 8)}) {
    const auto ids = t.encode(s, false);
    EXPECT_EQ(t.decode(ids), s);
  }
  EXPECT_EQ(t.encode("a\xff" "b", false), (std::vector<int>{'a', 0xFF, 'b'}));
}

std::vector<std::string> split(const std::string& pre, const std::string& text) {
  const auto p = Pretokenizer::find(pre);
  if (!p) return {"<no such pre-tokenizer>"};
  std::vector<std::string> out;
  for (auto w : p->split(text)) out.emplace_back(w);
  return out;
}

TEST(Pretokenizer, Gpt2AndLlama3Rules) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split("gpt2", "12345 abc"), (V{"12345", " abc"}));
  EXPECT_EQ(split("llama-bpe", "12345 abc"), (V{"123", "45", " abc"}));
  EXPECT_EQ(split("gpt2", "I'VE it's"), (V{"I", "'", "VE", " it", "'s"}));
  EXPECT_EQ(split("llama-bpe", "I'VE it's"), (V{"I", "'VE", " it", "'s"}));
  EXPECT_EQ(split("gpt2", "a\n\nb"), (V{"a", "\n", "\n", "b"}));
  EXPECT_EQ(split("llama-bpe", "a\n\nb"), (V{"a", "\n\n", "b"}));
  EXPECT_EQ(split("gpt2", "a   b"), (V{"a", "  ", " b"}));  // the last space goes with the word
  EXPECT_EQ(split("gpt2", "naïve 日本"), (V{"naïve", " 日本"}));  // \p{L} is Unicode
  EXPECT_EQ(split("default", "a\xff" "b"), (V{"a", "\xff", "b"}));  // unmatched bytes kept
  EXPECT_EQ(Pretokenizer::find("no-such-rule"), nullptr);
  EXPECT_NE(Pretokenizer::names().find("llama-bpe"), std::string::npos);
}

TEST(BpeTokenizer, RejectsBadVocabularies) {
  EXPECT_THROW(Tokenizer::byte_bpe({"a", "b"}, {T::Normal}, {}, "gpt2", -1, -1), ModelError);
  EXPECT_THROW(Tokenizer::byte_bpe({"a", "b"}, {T::Normal, T::Normal}, {"ab"}, "gpt2", -1, -1), ModelError);
  EXPECT_THROW(Tokenizer::byte_bpe({"a", "b"}, {T::Normal, T::Normal}, {}, "gpt2", 2, -1), ModelError);
  try {
    Tokenizer::byte_bpe({"a"}, {T::Normal}, {}, "qwen99", -1, -1);
    ADD_FAILURE() << "accepted an unknown pre-tokenizer";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("'qwen99'"), std::string::npos) << e.what();
  }
}

// A vocabulary-only GGUF: the 256 byte pieces and a control "<|eot_id|>", tokenizer `model` and `pre`.
std::string write_vocab(const std::string& name, const std::string& model, const std::string& pre,
                        bool merges = true) {
  gguf::Writer w;
  w.add_string("general.architecture", "gpt2");
  w.add_string("tokenizer.ggml.model", model);
  if (!pre.empty()) w.add_string("tokenizer.ggml.pre", pre);
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.push_back(byte_char(b));
  pieces.push_back("<|eot_id|>");
  w.add_string_array("tokenizer.ggml.tokens", pieces);
  std::vector<int32_t> types(pieces.size(), 1);
  types.back() = 3;
  w.add_int32_array("tokenizer.ggml.token_type", types);
  if (merges) w.add_string_array("tokenizer.ggml.merges", {"a b"});
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_uint32("tokenizer.ggml.bos_token_id", 'a');
  const std::string path = test::temp_path(name);
  w.write(path);
  return path;
}

TEST(BpeTokenizer, LoadsVocabularyOnlyGguf) {
  const std::string path = write_vocab("vocab.gguf", "gpt2", "llama-bpe");
  const Tokenizer t = load_tokenizer(path);
  EXPECT_EQ(t.kind(), Tokenizer::Kind::ByteBpe);
  EXPECT_EQ(t.pretokenizer(), "llama-bpe");
  EXPECT_EQ(t.vocab_size(), 257);
  EXPECT_TRUE(t.add_bos());
  EXPECT_EQ(t.bos(), 'a');
  EXPECT_EQ(t.eos(), -1);
  EXPECT_EQ(t.eot(), 256);  // found by its text, as llama.cpp does without the key
  EXPECT_EQ(t.encode("ab", t.add_bos()), (std::vector<int>{'a', 'a', 'b'}));  // "ab" is no piece
  test::expect_model_error([&] { load_model(path); }, path, "has no tensors: a vocabulary-only file");
}

TEST(BpeTokenizer, GgufErrorsNameFileAndValue) {
  std::string p = write_vocab("bert.gguf", "bert", "gpt2");
  test::expect_model_error([&] { load_tokenizer(p); }, p, "tokenizer.ggml.model = 'bert' is not supported");
  p = write_vocab("pre.gguf", "gpt2", "qwen99");
  test::expect_model_error([&] { load_tokenizer(p); }, p, "tokenizer.ggml.pre = 'qwen99'");
  p = write_vocab("nomerges.gguf", "gpt2", "gpt2", false);
  test::expect_model_error([&] { load_tokenizer(p); }, p, "tokenizer.ggml.merges");
  test::expect_model_error([&] { load_tokenizer(test::temp_path("absent.gguf")); }, test::temp_path("absent.gguf"),
                           "");
}

TEST(BpeTokenizer, SavedModelKeepsItsTokenizer) {
  // The tiny model with a byte-level BPE vocabulary of its size (320): convert writes the
  // gpt2 keys (merges, pre-tokenizer, special ids), and loading gives the same tokenizer back.
  Model m = load_model(test::data_path("tiny-f32.gguf"));
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.push_back(byte_char(b));
  pieces.push_back("xy");  // 256
  for (int i = static_cast<int>(pieces.size()); i < m.config.vocab_size - 1; ++i) pieces.push_back("p" + std::to_string(i));
  pieces.push_back("<|eot_id|>");
  std::vector<T> types(pieces.size(), T::Normal);
  types.back() = T::Control;
  m.tokenizer = Tokenizer::byte_bpe(pieces, types, {"x y", "a b"}, "llama-bpe", -1, static_cast<int>(pieces.size()) - 1);
  m.tokenizer.set_special(static_cast<int>(pieces.size()) - 1, true, false);
  const std::string path = test::temp_path("bpe-model.gguf");
  save_gguf(m, path, DType::F32);
  const Model back = load_model(path);
  const Tokenizer& t = back.tokenizer;
  EXPECT_EQ(t.kind(), Tokenizer::Kind::ByteBpe);
  EXPECT_EQ(t.pretokenizer(), "llama-bpe");
  EXPECT_EQ(t.merges(), (std::vector<std::string>{"x y", "a b"}));
  EXPECT_EQ(t.bos(), -1);
  EXPECT_EQ(t.eos(), m.config.vocab_size - 1);
  EXPECT_EQ(t.eot(), m.config.vocab_size - 1);
  EXPECT_TRUE(t.add_bos());
  EXPECT_EQ(t.type(m.config.vocab_size - 1), T::Control);
  // "ab" merges but is no piece: spelled by its bytes after "Ġ".
  EXPECT_EQ(t.encode("xy ab", false), (std::vector<int>{256, ' ', 'a', 'b'}));
}

// --- llama.cpp's reference vectors -------------------------------------------------------------

const std::string kShared = std::string(AIRTP_SHARED_DIR) + "/tokenizers";

struct Reference {
  std::vector<std::string> inputs;
  std::vector<std::vector<int>> ids;
};

Reference read_reference(const std::string& gguf) {
  std::ifstream in(gguf + ".inp", std::ios::binary), out(gguf + ".out");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str(), sep = "\n__ggml_vocab_test__\n";
  Reference r;
  for (size_t p = 0, q; (q = all.find(sep, p)) != std::string::npos; p = q + sep.size()) r.inputs.push_back(all.substr(p, q - p));
  for (std::string line; std::getline(out, line);) {
    std::istringstream ls(line);
    std::vector<int> v;
    for (int x; ls >> x;) v.push_back(x);
    r.ids.push_back(v);
  }
  return r;
}

void check_reference(const std::string& name, bool round_trip) {
  const std::string path = kShared + "/" + name;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path << " (reference data in ../shared/tokenizers)";
  const Tokenizer t = load_tokenizer(path);
  const Reference r = read_reference(path);
  ASSERT_EQ(r.inputs.size(), 46u);
  ASSERT_EQ(r.ids.size(), r.inputs.size());
  int matched = 0;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const auto got = t.encode(r.inputs[i], false);
    EXPECT_EQ(got, r.ids[i]) << name << " input " << i << ": \"" << r.inputs[i] << "\"";
    matched += got == r.ids[i];
    if (round_trip) {
      EXPECT_EQ(t.decode(got), r.inputs[i]) << name << " input " << i;
    }
  }
  EXPECT_EQ(matched, 46);
}

TEST(TokenizerReference, Gpt2MatchesHuggingFace) { check_reference("ggml-vocab-gpt-2.gguf", true); }
TEST(TokenizerReference, LlamaSpmMatchesHuggingFace) { check_reference("ggml-vocab-llama-spm.gguf", false); }

TEST(TokenizerReference, Gpt2VocabularyFacts) {
  const std::string path = kShared + "/ggml-vocab-gpt-2.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path << " (reference data in ../shared/tokenizers)";
  const Tokenizer t = load_tokenizer(path);
  EXPECT_EQ(t.vocab_size(), 50257);
  EXPECT_EQ(t.pretokenizer(), "gpt-2");
  EXPECT_FALSE(t.add_bos());  // GPT-2 prompts start without BOS
  EXPECT_EQ(t.eos(), 50256);
  EXPECT_EQ(t.encode("Hello world", false), (std::vector<int>{15496, 995}));
  EXPECT_EQ(t.encode("<|endoftext|>", false, true), (std::vector<int>{50256}));
}

}  // namespace
}  // namespace airtp
