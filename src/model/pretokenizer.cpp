#include "model/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace airtp {

namespace {

// GPT-2's pattern (openai/gpt-2 encoder.py).
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// Llama 3's pattern (tokenizer.json of Meta-Llama-3): case-insensitive contractions, at most
// three digits per word, a newline run as its own word.
constexpr const char* kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct Entry {
  const char* name;
  const char* pattern;
  bool ignore_merges;
};

// The one table of names (the values of tokenizer.ggml.pre, as llama.cpp's converter writes
// them) to patterns. "default" is what files without a pre-tokenizer key get; llama.cpp uses a
// looser legacy pattern list for it, airtp GPT-2's pattern, the one such vocabularies were
// trained with.
constexpr Entry kTable[] = {
    {"default", kGpt2, false},   {"gpt2", kGpt2, false},       {"gpt-2", kGpt2, false},
    {"llama-bpe", kLlama3, true}, {"llama3", kLlama3, true},   {"llama-v3", kLlama3, true},
};

}  // namespace

Pretokenizer::Pretokenizer(std::string name, const char* pattern, bool ignore_merges)
    : name_(std::move(name)), ignore_merges_(ignore_merges) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  // MATCH_INVALID_UTF: text is arbitrary bytes; invalid sequences simply never match.
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                        PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &offset, nullptr);
  if (!code_) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw std::logic_error(fmt::format("pre-tokenizer '{}': pattern does not compile at {}: {}", name_,
                                       offset, reinterpret_cast<const char*>(msg)));
  }
  pcre2_jit_compile(static_cast<pcre2_code*>(code_), PCRE2_JIT_COMPLETE);  // optional speed-up
}

Pretokenizer::~Pretokenizer() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

std::shared_ptr<const Pretokenizer> Pretokenizer::find(std::string_view name) {
  for (const Entry& e : kTable)
    if (name == e.name) {
      // Compiled once per name for the process; tokenizers share them.
      static std::shared_ptr<const Pretokenizer> cache[std::size(kTable)];
      static std::once_flag once[std::size(kTable)];
      const size_t i = static_cast<size_t>(&e - kTable);
      std::call_once(once[i], [&] { cache[i] = std::make_shared<Pretokenizer>(e.name, e.pattern, e.ignore_merges); });
      return cache[i];
    }
  return nullptr;
}

std::string Pretokenizer::names() {
  std::string out;
  for (const Entry& e : kTable) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

std::vector<std::string_view> Pretokenizer::split(std::string_view text) const {
  std::vector<std::string_view> out;
  const auto* code = static_cast<const pcre2_code*>(code_);
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
      pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0, done = 0;
  while (pos < text.size()) {
    const int rc = pcre2_match(code, subject, text.size(), pos, 0, md.get(), nullptr);
    if (rc < 0) break;  // no further match (or a resource limit): the rest is one piece
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    const size_t start = ov[0], end = ov[1];
    if (start > done) out.push_back(text.substr(done, start - done));
    if (end == start) {  // no alternative matches empty, but never loop on one
      pos = start + 1;
      continue;
    }
    out.push_back(text.substr(start, end - start));
    pos = done = end;
  }
  if (done < text.size()) out.push_back(text.substr(done));
  return out;
}

}  // namespace airtp
