// Byte-level BPE (GPT-2, Llama 3; llama.cpp's llm_tokenizer_bpe): the pre-tokenizer cuts the
// text into words, each word's bytes are spelled in GPT-2's byte alphabet, and adjacent symbols
// are merged lowest merge rank first.
#include <fmt/format.h>

#include <array>
#include <optional>

#include "model/model_error.h"
#include "model/pretokenizer.h"
#include "model/symbol_merge.h"
#include "model/tokenizer.h"

namespace airtp {

namespace {

// GPT-2's bytes_to_unicode: printable bytes stand for themselves, the other 68 (controls,
// space, DEL, NBSP, soft hyphen...) for U+0100 onwards, so every byte is a visible character.
struct ByteAlphabet {
  std::array<std::string, 256> utf8;  // byte -> its character, UTF-8 encoded
  std::array<int, 512> byte_of;       // code point -> byte, -1 outside the alphabet
  ByteAlphabet() {
    byte_of.fill(-1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const int cp = printable ? b : next++;
      byte_of[static_cast<size_t>(cp)] = b;
      std::string& s = utf8[static_cast<size_t>(b)];
      if (cp < 0x80) {
        s = std::string(1, static_cast<char>(cp));
      } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
  }
};

const ByteAlphabet& alphabet() {
  static const ByteAlphabet a;
  return a;
}

}  // namespace

void Tokenizer::bpe_init(const std::vector<std::string>& merges) {
  auto ranks = std::make_shared<std::unordered_map<std::string, int>>();
  ranks->reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string& m = merges[i];
    // "left right"; the split is the first space after the first byte, as in llama.cpp
    // (pieces in the byte alphabet contain no space).
    const size_t sp = m.size() < 2 ? std::string::npos : m.find(' ', 1);
    if (sp == std::string::npos || sp + 1 >= m.size())
      throw ModelError(fmt::format("tokenizer.ggml.merges[{}] is not a pair \"left right\"", i));
    ranks->emplace(m, static_cast<int>(i));  // the first (lowest) rank wins on duplicates
  }
  merge_rank_ = std::move(ranks);
  merges_ = std::make_shared<const std::vector<std::string>>(merges);
  for (int b = 0; b < 256; ++b) byte_ids_[b] = find(alphabet().utf8[static_cast<size_t>(b)]);
}

const std::vector<std::string>& Tokenizer::merges() const {
  static const std::vector<std::string> none;
  return merges_ ? *merges_ : none;
}

void Tokenizer::bpe_encode(std::string_view text, std::vector<int>& out) const {
  for (std::string_view word : pre_->split(text)) bpe_encode_word(word, out);
}

void Tokenizer::bpe_encode_word(std::string_view word, std::vector<int>& out) const {
  const ByteAlphabet& a = alphabet();
  // One symbol per byte of the word (one character of the byte alphabet each).
  std::string s;
  std::vector<MergeSymbol> sym;
  sym.reserve(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    const std::string& c = a.utf8[static_cast<uint8_t>(word[i])];
    const int idx = static_cast<int>(i);
    sym.push_back({s.size(), c.size(), idx - 1, i + 1 < word.size() ? idx + 1 : -1});
    s += c;
  }
  if (pre_->ignore_merges()) {
    if (const int id = find(s); id >= 0) {
      out.push_back(id);
      return;
    }
  }

  std::string key;
  merge_symbols(sym, [&](int l, int r) -> std::optional<double> {
    key.assign(s, sym[static_cast<size_t>(l)].start, sym[static_cast<size_t>(l)].len);
    key += ' ';
    key.append(s, sym[static_cast<size_t>(r)].start, sym[static_cast<size_t>(r)].len);
    const auto it = merge_rank_->find(key);
    if (it == merge_rank_->end()) return std::nullopt;
    return -static_cast<double>(it->second);  // the lowest rank merges first
  });

  for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[i].next) {
    const std::string_view piece = std::string_view(s).substr(sym[i].start, sym[i].len);
    if (const int id = find(piece); id >= 0) {
      out.push_back(id);
      continue;
    }
    // A merge result the vocabulary lacks: spell it byte by byte (each symbol began as bytes
    // of the word; their positions in `s` give them back).
    for (size_t k = 0; k < piece.size();) {
      const auto c0 = static_cast<uint8_t>(piece[k]);
      const size_t len = c0 < 0x80 ? 1 : 2;
      const int cp = len == 1 ? c0 : ((c0 & 0x1F) << 6) | (static_cast<uint8_t>(piece[k + 1]) & 0x3F);
      const int byte = a.byte_of[static_cast<size_t>(cp)];
      const int id = byte_ids_[byte];
      if (id >= 0) out.push_back(id);
      else if (unk_id_ >= 0) out.push_back(unk_id_);
      k += len;
    }
  }
}

std::string Tokenizer::bpe_decode(int token) const {
  const std::string& p = pieces_[static_cast<size_t>(token)];
  switch (types_[static_cast<size_t>(token)]) {
    case PieceType::Control: return {};
    case PieceType::UserDefined: return p;  // written as plain text, not in the byte alphabet
    default: break;
  }
  const ByteAlphabet& a = alphabet();
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size();) {
    const auto c0 = static_cast<uint8_t>(p[i]);
    if ((c0 & 0xE0) == 0xC0 && i + 1 < p.size()) {
      const int cp = ((c0 & 0x1F) << 6) | (static_cast<uint8_t>(p[i + 1]) & 0x3F);
      if (cp < 512 && a.byte_of[static_cast<size_t>(cp)] >= 0) {
        out += static_cast<char>(a.byte_of[static_cast<size_t>(cp)]);
        i += 2;
        continue;
      }
    } else if (c0 < 0x80 && a.byte_of[c0] >= 0) {
      out += static_cast<char>(c0);
      ++i;
      continue;
    }
    out += p[i++];  // outside the alphabet (a vocabulary's odd piece): kept as it is
  }
  return out;
}

}  // namespace airtp
