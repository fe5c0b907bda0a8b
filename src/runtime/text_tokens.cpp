#include "runtime/text_tokens.h"

#include <algorithm>

namespace airtp {

namespace {

// Tokens past `want` that must come out of a prefix before its first `want` are trusted.
constexpr size_t kMarginTokens = 64;

// Reads up to `n` more bytes of `in` onto `text`; false at the end of the stream.
bool read_more(std::istream& in, std::string& text, size_t n) {
  const size_t old = text.size();
  text.resize(old + n);
  in.read(text.data() + old, static_cast<std::streamsize>(n));
  text.resize(old + static_cast<size_t>(in.gcount()));
  return static_cast<bool>(in);
}

}  // namespace

TextTokens read_tokens(const Tokenizer& tok, std::istream& in, size_t want) {
  TextTokens r;
  std::string text;
  if (want == 0) {
    while (read_more(in, text, size_t{1} << 20)) {
    }
    r.tokens = tok.encode(text, false);
    r.bytes_read = text.size();
    r.whole_text = true;
    return r;
  }
  // Start at ~8 bytes per token (English text is ~4) and double until the prefix suffices.
  size_t target = std::max<size_t>(size_t{1} << 16, 8 * (want + kMarginTokens));
  bool more = true;
  for (;;) {
    if (more && text.size() < target) more = read_more(in, text, target - text.size());
    // Cut after the last newline of the prefix so a word is not split (the end of the file
    // needs no cut).
    size_t cut = text.size();
    if (more) {
      const size_t nl = text.rfind('\n');
      if (nl != std::string::npos && nl > text.size() / 2) cut = nl + 1;
    }
    r.tokens = tok.encode(std::string_view(text).substr(0, cut), false);
    if (!more || r.tokens.size() >= want + kMarginTokens) break;
    target *= 2;
  }
  r.whole_text = !more;
  r.bytes_read = text.size();
  if (r.tokens.size() > want) r.tokens.resize(want);
  return r;
}

}  // namespace airtp
