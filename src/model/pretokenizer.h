// Pre-tokenizers of byte-level BPE vocabularies: the regular expression that cuts text into
// words before merges run (GGUF's tokenizer.ggml.pre names it). PCRE2 in UTF + UCP mode, so
// \p{L}, \s and friends mean what they mean in the Hugging Face tokenizers the vocabularies
// come from.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace airtp {

class Pretokenizer {
 public:
  // The pre-tokenizer registered under `name`, or nullptr when no entry has that name.
  static std::shared_ptr<const Pretokenizer> find(std::string_view name);
  // The registered names, for error messages.
  static std::string names();

  // Cuts `text` into consecutive pieces that together are exactly `text`. Bytes no alternative
  // matches (invalid UTF-8, never matched) become pieces of their own, so nothing is lost.
  std::vector<std::string_view> split(std::string_view text) const;
  const std::string& name() const { return name_; }
  // Llama 3's tokenizer takes a word that is itself a vocabulary entry whole, without merging
  // (Hugging Face's ignore_merges).
  bool ignore_merges() const { return ignore_merges_; }

  Pretokenizer(std::string name, const char* pattern, bool ignore_merges);
  ~Pretokenizer();
  Pretokenizer(const Pretokenizer&) = delete;
  Pretokenizer& operator=(const Pretokenizer&) = delete;

 private:
  std::string name_;
  void* code_ = nullptr;  // pcre2_code_8, kept out of the header
  bool ignore_merges_ = false;
};

}  // namespace airtp
