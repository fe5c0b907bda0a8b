// SentencePiece BPE (llama.cpp's llm_tokenizer_spm): merges by piece score, byte fallback.
#include <optional>

#include "model/symbol_merge.h"
#include "model/tokenizer.h"

namespace airtp {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// Length of the UTF-8 character starting at s[i]; a malformed sequence counts as single bytes
// so that byte fallback still reproduces the input exactly.
size_t utf8_char_len(std::string_view s, size_t i) {
  const auto c = static_cast<uint8_t>(s[i]);
  const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
  if (i + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k)
    if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return 1;
  return len;
}

}  // namespace

void Tokenizer::spm_encode(std::string_view text, bool space_prefix, std::vector<int>& out) const {
  std::string s;
  s.reserve(text.size() + 3 * 8);
  if (space_prefix) s += kSpace;
  for (char c : text) {
    if (c == ' ')
      s += kSpace;
    else
      s += c;
  }

  std::vector<MergeSymbol> sym;
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8_char_len(s, i);
    const int idx = static_cast<int>(sym.size());
    sym.push_back({i, len, idx - 1, i + len < s.size() ? idx + 1 : -1});
    i += len;
  }

  // Merge the adjacent pair whose concatenation is the best-scoring piece.
  merge_symbols(sym, [&](int l, int r) -> std::optional<double> {
    const size_t len = sym[static_cast<size_t>(l)].len + sym[static_cast<size_t>(r)].len;
    const int id = find(std::string_view(s).substr(sym[static_cast<size_t>(l)].start, len));
    if (id < 0) return std::nullopt;
    return scores_[static_cast<size_t>(id)];
  });

  for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[i].next) {
    const std::string_view piece = std::string_view(s).substr(sym[i].start, sym[i].len);
    const int id = find(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : piece) {
      const int bid = byte_ids_[static_cast<uint8_t>(c)];
      if (bid >= 0) {
        out.push_back(bid);
      } else if (unk_id_ >= 0) {
        out.push_back(unk_id_);
        break;  // one unk per character, as SentencePiece without byte fallback
      }
    }
  }
}

std::string Tokenizer::spm_decode(int prev, int token) const {
  const std::string& p = pieces_[static_cast<size_t>(token)];
  switch (types_[static_cast<size_t>(token)]) {
    case PieceType::Control: return {};
    case PieceType::Unknown: return " \xE2\x81\x87 ";  // SentencePiece's " ⁇ "
    case PieceType::Byte:
      for (int b = 0; b < 256; ++b)
        if (byte_ids_[b] == token) return std::string(1, static_cast<char>(b));
      return p;
    default: break;
  }
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size();) {
    if (std::string_view(p).substr(i, kSpace.size()) == kSpace) {
      out += ' ';
      i += kSpace.size();
    } else {
      out += p[i++];
    }
  }
  if (prev == bos_id_ && add_space_prefix_ && !out.empty() && out[0] == ' ') out.erase(0, 1);
  return out;
}

}  // namespace airtp
