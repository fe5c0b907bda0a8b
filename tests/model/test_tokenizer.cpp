// The tokenizer against SentencePiece's own encodings of the tiny vocabulary (reference ids in
// tests/data/tiny-reference.json), for both the GGUF-embedded and the llama2.c tokenizer.bin
// copies of that vocabulary, plus hand-worked merge cases and round trips.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "model/model.h"
#include "test_util.h"

namespace airtp {
namespace {

nlohmann::json reference() {
  std::ifstream f(test::data_path("tiny-reference.json"));
  return nlohmann::json::parse(f);
}

const Tokenizer& gguf_tokenizer() {
  static const Model m = load_model(test::data_path("tiny-f32.gguf"));
  return m.tokenizer;
}
const Tokenizer& llama2c_tokenizer() {
  static const Tokenizer t = load_llama2c_tokenizer(test::data_path("tiny-tokenizer.bin"), 320);
  return t;
}

void check_reference(const Tokenizer& tok) {
  const auto ref = reference();
  const auto& cases = ref["tokenizer"]["cases"];
  ASSERT_GE(cases.size(), 20u);
  const int bos = ref["bos_id"].get<int>();
  for (const auto& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const std::vector<int> want = c["ids"].get<std::vector<int>>();
    EXPECT_EQ(tok.encode(text, false), want) << "text: \"" << text << "\"";
    std::vector<int> with_bos{bos};
    with_bos.insert(with_bos.end(), want.begin(), want.end());
    EXPECT_EQ(tok.encode(text, true), with_bos) << "text: \"" << text << "\"";
    const auto pieces = c["pieces"].get<std::vector<std::string>>();
    ASSERT_EQ(pieces.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(tok.piece(want[i]), pieces[i]);
    EXPECT_EQ(tok.decode(want), c["decoded"].get<std::string>()) << "text: \"" << text << "\"";
    EXPECT_EQ(tok.decode(with_bos), c["decoded"].get<std::string>());
  }
}

TEST(Tokenizer, GgufMatchesSentencePiece) { check_reference(gguf_tokenizer()); }
TEST(Tokenizer, Llama2cMatchesSentencePiece) { check_reference(llama2c_tokenizer()); }

TEST(Tokenizer, BothCopiesAgree) {
  const Tokenizer& a = gguf_tokenizer();
  const Tokenizer& b = llama2c_tokenizer();
  ASSERT_EQ(a.vocab_size(), b.vocab_size());
  for (int i = 0; i < a.vocab_size(); ++i) {
    EXPECT_EQ(a.piece(i), b.piece(i)) << i;
    EXPECT_EQ(a.score(i), b.score(i)) << i;
    EXPECT_EQ(a.type(i), b.type(i)) << i;
  }
}

TEST(Tokenizer, RoundTripsArbitraryBytes) {
  const Tokenizer& tok = gguf_tokenizer();
  std::vector<std::string> texts = {
      "x",          "  two leading",        "tail  ",          "\t\r\n\v\f",
      "\xff\xfe",   "\xe2\x82",             "ab\xe2\x82" "cd", "\xf0\x9f\x98",  // malformed UTF-8
      "\xc3\xa9\xcc\x81", std::string("nul\0byte", 8), "\xe2\x96\x81 literal U+2581",
  };
  std::string all;
  for (int b = 1; b < 256; ++b) all += static_cast<char>(b);
  texts.push_back(all);
  std::mt19937 rng(7);
  for (int n = 0; n < 200; ++n) {
    std::string s(rng() % 40, ' ');
    for (char& ch : s) ch = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : "ab cde\n"[rng() % 7]);
    texts.push_back(s);
  }
  for (const auto& s : texts) {
    const auto ids = tok.encode(s, true);
    for (int id : ids) ASSERT_TRUE(id >= 0 && id < tok.vocab_size());
    if (s.find("\xe2\x96\x81") != std::string::npos) {
      // The text's own U+2581 is SentencePiece's space symbol: it decodes as a space.
      std::string want = s;
      for (size_t p; (p = want.find("\xe2\x96\x81")) != std::string::npos;) want.replace(p, 3, " ");
      EXPECT_EQ(tok.decode(ids), want);
    } else {
      EXPECT_EQ(tok.decode(ids), s) << "ids " << ::testing::PrintToString(ids);
    }
  }
}

TEST(Tokenizer, IncrementalDecodeMatchesWhole) {
  const Tokenizer& tok = gguf_tokenizer();
  const std::string s = "In the beginning, naïve 日本 code\n";
  const auto ids = tok.encode(s, true);
  std::string out;
  for (size_t i = 1; i < ids.size(); ++i) out += tok.decode(ids[i - 1], ids[i]);
  EXPECT_EQ(out, s);
  EXPECT_EQ(tok.decode(tok.bos(), tok.find("\xe2\x96\x81the")), "the");
  EXPECT_EQ(tok.decode(5, tok.find("\xe2\x96\x81the")), " the");
  EXPECT_EQ(tok.decode(5, tok.bos()), "");
  EXPECT_EQ(tok.decode(5, tok.eos()), "");
  EXPECT_THROW(tok.decode(5, tok.vocab_size()), std::out_of_range);
  EXPECT_THROW(tok.decode(5, -1), std::out_of_range);
}

// A hand-made vocabulary where the order of merges decides the result.
Tokenizer toy(bool with_bytes) {
  using T = Tokenizer::PieceType;
  std::vector<std::string> p = {"<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", "c", "ab", "bc", "abc", "\xe2\x96\x81" "a"};
  std::vector<float> s = {0, 0, 0, -1, -1, -1, -1, -5, -5, -2, -9};
  std::vector<T> t = {T::Unknown, T::Control, T::Control, T::Normal, T::Normal, T::Normal, T::Normal,
                      T::Normal,  T::Normal,  T::Normal,  T::Normal};
  if (with_bytes)
    for (int b = 0; b < 256; ++b) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "<0x%02X>", b);
      p.push_back(buf);
      s.push_back(0);
      t.push_back(T::Byte);
    }
  return Tokenizer(p, s, t, 1, 2, 0, false);
}

TEST(Tokenizer, MergeOrderByScoreThenLeftmost) {
  Tokenizer tok = toy(true);
  // "abc": ab and bc tie at -5, the leftmost (ab) merges first; then ab+c = abc (-2).
  EXPECT_EQ(tok.encode("abc", false), (std::vector<int>{9}));
  // "bcab": bc (left 0) and ab (left 2) tie: bc first, then ab; "bcab" is not a piece.
  EXPECT_EQ(tok.encode("bcab", false), (std::vector<int>{8, 7}));
  // "abab": ab at 0 and 2 merge; "abab" is not in the vocabulary.
  EXPECT_EQ(tok.encode("abab", false), (std::vector<int>{7, 7}));
  // A space becomes U+2581 (no prefix here since add_space_prefix is false), and "▁a" merges.
  EXPECT_EQ(tok.encode(" a", false), (std::vector<int>{10}));
  // Unknown characters fall back to bytes: 'd' = 0x64, 'é' = C3 A9.
  EXPECT_EQ(tok.encode("d\xc3\xa9", false), (std::vector<int>{11 + 0x64, 11 + 0xC3, 11 + 0xA9}));
  EXPECT_EQ(tok.decode(tok.encode("d\xc3\xa9 abc", true)), "d\xc3\xa9 abc");
  // Without byte pieces: one <unk> per unknown character.
  Tokenizer nob = toy(false);
  EXPECT_EQ(nob.encode("d\xc3\xa9" "a", false), (std::vector<int>{0, 0, 4}));
}

TEST(Tokenizer, RejectsInconsistentArrays) {
  using T = Tokenizer::PieceType;
  EXPECT_THROW(Tokenizer({"a", "b"}, {0}, {T::Normal, T::Normal}, -1, -1, -1), ModelError);
  EXPECT_THROW(Tokenizer({"a"}, {0}, {T::Normal}, 1, -1, -1), ModelError);
  EXPECT_THROW(Tokenizer().encode("x", true), ModelError);
  EXPECT_TRUE(Tokenizer().empty());
  EXPECT_EQ(Tokenizer().byte_piece(65), -1);
}

}  // namespace
}  // namespace airtp
