// Byte-level BPE: arbitrary bytes through the pre-tokenizers (GPT-2's and Llama 3's regexes under
// PCRE2, invalid UTF-8 included) and the merge loop, with GPT-2's vocabulary from
// ../shared/tokenizers when it is there, else a small built-in vocabulary (so the target runs in
// a bare clone). Oracles: every pre-tokenizer's words concatenate to the text; ids inside the
// vocabulary; decode(encode(text)) == text when specials are not parsed; parsing specials still
// gives ids inside the vocabulary.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "model/model.h"
#include "model/pretokenizer.h"

namespace {

using airtp::Tokenizer;

std::vector<Tokenizer> make_tokenizers() {
  std::vector<Tokenizer> out;
  const std::string gpt2 = AIRTP_SHARED_DIR "/tokenizers/ggml-vocab-gpt-2.gguf";
  if (std::filesystem::exists(gpt2)) out.push_back(airtp::load_tokenizer(gpt2));
  // Built in: the 256 characters of GPT-2's byte alphabet, a few merges, a control token.
  std::vector<std::string> pieces;
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const int cp = printable ? b : next++;
    pieces.push_back(cp < 0x80 ? std::string(1, static_cast<char>(cp))
                               : std::string{static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))});
  }
  for (const char* p : {"th", "the", "\xc4\xa0the", "in", "\xc4\xa0" "a", "12", "<|end|>"}) pieces.push_back(p);
  std::vector<Tokenizer::PieceType> types(pieces.size(), Tokenizer::PieceType::Normal);
  types.back() = Tokenizer::PieceType::Control;
  const std::vector<std::string> merges = {"t h", "th e", "\xc4\xa0 the", "i n", "\xc4\xa0 a", "1 2", "\xc4\xa0 t"};
  for (const char* pre : {"gpt2", "llama-bpe"})
    out.push_back(Tokenizer::byte_bpe(pieces, types, merges, pre, -1, static_cast<int>(pieces.size()) - 1));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  static const std::vector<Tokenizer> toks = make_tokenizers();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  for (const char* name : {"gpt2", "llama-bpe"}) {
    std::string joined;
    for (std::string_view w : Pretokenizer::find(name)->split(text)) {
      if (w.empty()) fuzz::invariant_failed("pre-tokenizer gave an empty word");
      joined += w;
    }
    if (joined != text) fuzz::invariant_failed("pre-tokenizer words do not concatenate to the text");
  }
  for (const Tokenizer& t : toks) {
    const std::vector<int> ids = t.encode(text, false);
    for (int id : ids)
      if (id < 0 || id >= t.vocab_size()) fuzz::invariant_failed("encode gave an id outside the vocabulary");
    if (t.decode(ids) != text) fuzz::invariant_failed("decode(encode(text)) != text");
    for (int id : t.encode(text, true, true))
      if (id < 0 || id >= t.vocab_size()) fuzz::invariant_failed("encode (specials) gave an id outside the vocabulary");
  }
  return 0;
}
