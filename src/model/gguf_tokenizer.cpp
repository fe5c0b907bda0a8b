#include "model/gguf_tokenizer.h"

#include <fmt/format.h>

#include <climits>
#include <cstring>
#include <cstdio>
#include <memory>

#include "model/model.h"
#include "model/pretokenizer.h"
#include "model/printable.h"

namespace airtp {

namespace {

class Reader {
 public:
  explicit Reader(const gguf::File& f) : f_(f) {}

  Tokenizer read() const {
    if (!f_.find("tokenizer.ggml.tokens")) return {};
    const std::string model = f_.get_string_opt("tokenizer.ggml.model").value_or("llama");
    const bool spm = model == "llama";
    if (!spm && model != "gpt2")
      fail(fmt::format("tokenizer.ggml.model = '{}' is not supported (airtp implements 'llama', SentencePiece "
                       "BPE, and 'gpt2', byte-level BPE)",
                       printable(model)));
    std::vector<std::string> pieces = f_.get_string_array("tokenizer.ggml.tokens");
    const size_t n = pieces.size();
    if (n == 0 || n > INT_MAX) fail(fmt::format("tokenizer.ggml.tokens has {} entries", n));
    std::vector<Tokenizer::PieceType> types = read_types(n);
    // llama.cpp's defaults: SentencePiece's fixed <unk> <s> </s>; none for byte-level BPE
    // (GPT-2 vocabularies name their one special token in the file).
    const int bos = special("tokenizer.ggml.bos_token_id", spm ? 1 : -1, n);
    const int eos = special("tokenizer.ggml.eos_token_id", spm ? 2 : -1, n);
    const int unk = special("tokenizer.ggml.unknown_token_id", spm ? 0 : -1, n);
    Tokenizer t;
    try {
      if (spm) {
        std::vector<float> scores(n, 0.0f);
        if (f_.find("tokenizer.ggml.scores")) {
          scores = f_.get_float_array("tokenizer.ggml.scores");
          if (scores.size() != n)
            fail(fmt::format("tokenizer.ggml.scores has {} entries but tokenizer.ggml.tokens has {}", scores.size(), n));
        }
        const bool prefix = f_.get_bool_opt("tokenizer.ggml.add_space_prefix").value_or(true);
        t = Tokenizer(std::move(pieces), std::move(scores), std::move(types), bos, eos, unk, prefix);
      } else {
        const std::string pre = f_.get_string_opt("tokenizer.ggml.pre").value_or("default");
        if (!Pretokenizer::find(pre))
          fail(fmt::format("tokenizer.ggml.pre = '{}' is not a pre-tokenizer airtp knows ({})", printable(pre),
                           Pretokenizer::names()));
        if (!f_.find("tokenizer.ggml.merges")) fail("missing metadata key 'tokenizer.ggml.merges' (byte-level BPE needs it)");
        const std::vector<std::string> merges = f_.get_string_array("tokenizer.ggml.merges");
        t = Tokenizer::byte_bpe(std::move(pieces), std::move(types), merges, pre, bos, eos, unk);
      }
    } catch (const ModelError& e) {
      if (std::strncmp(e.what(), f_.path().c_str(), f_.path().size()) == 0) throw;
      fail(e.what());  // the tokenizer's own checks, named with the file
    }
    const bool add_bos = f_.get_bool_opt("tokenizer.ggml.add_bos_token").value_or(spm);
    const bool add_eos = f_.get_bool_opt("tokenizer.ggml.add_eos_token").value_or(false);
    t.set_special(eot_id(t, n), add_bos, add_eos);
    return t;
  }

 private:
  [[noreturn]] void fail(std::string_view msg) const { throw ModelError(fmt::format("{}: {}", f_.path(), msg)); }

  std::vector<Tokenizer::PieceType> read_types(size_t n) const {
    std::vector<Tokenizer::PieceType> types(n, Tokenizer::PieceType::Normal);
    if (!f_.find("tokenizer.ggml.token_type")) return types;
    const auto raw = f_.get_int_array("tokenizer.ggml.token_type");
    if (raw.size() != n)
      fail(fmt::format("tokenizer.ggml.token_type has {} entries but tokenizer.ggml.tokens has {}", raw.size(), n));
    for (size_t i = 0; i < n; ++i) {
      if (raw[i] < 0 || raw[i] > 6)
        fail(fmt::format("tokenizer.ggml.token_type[{}] = {} is not a valid token type", i, raw[i]));
      // 0 is llama.cpp's "undefined", which it treats as normal.
      types[i] = raw[i] == 0 ? Tokenizer::PieceType::Normal : static_cast<Tokenizer::PieceType>(raw[i]);
    }
    return types;
  }

  int special(const char* key, int def, size_t n) const {
    const auto v = f_.get_int_opt(key);
    if (!v) return def < static_cast<int>(n) ? def : -1;
    if (*v < -1 || *v >= static_cast<int64_t>(n))
      fail(fmt::format("{} = {} is outside the vocabulary of {} tokens", key, *v, n));
    return static_cast<int>(*v);
  }

  // The key, else (as llama.cpp) a control piece chat models end their turn with.
  int eot_id(const Tokenizer& t, size_t n) const {
    if (f_.find("tokenizer.ggml.eot_token_id")) return special("tokenizer.ggml.eot_token_id", -1, n);
    for (const char* text : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>"})
      for (int id = 0; id < t.vocab_size(); ++id)
        if (t.type(id) == Tokenizer::PieceType::Control && t.piece(id) == text) return id;
    return -1;
  }

  const gguf::File& f_;
};

}  // namespace

Tokenizer read_gguf_tokenizer(const gguf::File& f) { return Reader(f).read(); }

Tokenizer load_tokenizer(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  char magic[4] = {};
  if (file && std::fread(magic, 1, sizeof magic, file.get()) == sizeof magic && std::memcmp(magic, "GGUF", 4) != 0) {
    file.reset();
    // A llama2.c checkpoint: its tokenizer comes from tokenizer.bin next to it.
    Model m = load_model(path);
    if (m.tokenizer.empty()) throw ModelError(fmt::format("{}: carries no tokenizer (no tokenizer.bin next to it)", path));
    return m.tokenizer;
  }
  file.reset();
  const gguf::File f = gguf::File::open(path);  // names the file on any error
  Tokenizer t = read_gguf_tokenizer(f);
  if (t.empty()) throw ModelError(fmt::format("{}: carries no tokenizer (no key 'tokenizer.ggml.tokens')", path));
  return t;
}

}  // namespace airtp
