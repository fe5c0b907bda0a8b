#include "model/tokenizer.h"

#include <fmt/format.h>

#include <queue>
#include <stdexcept>

#include "model/model_error.h"

namespace airtp {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// Returns 0..255 for a "<0xXX>" piece, -1 otherwise.
int parse_byte_piece(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(p[3]), lo = hex(p[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

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

bool mergeable(Tokenizer::PieceType t) {
  // SentencePiece only merges into ordinary pieces; control, unknown and byte pieces are never
  // produced from text (so the literal text "<s>" or "<0x41>" is spelled out, not matched).
  return t == Tokenizer::PieceType::Normal || t == Tokenizer::PieceType::UserDefined ||
         t == Tokenizer::PieceType::Unused;
}

}  // namespace

Tokenizer::Tokenizer(std::vector<std::string> pieces, std::vector<float> scores,
                     std::vector<PieceType> types, int bos_id, int eos_id, int unk_id,
                     bool add_space_prefix)
    : pieces_(std::move(pieces)),
      scores_(std::move(scores)),
      types_(std::move(types)),
      bos_id_(bos_id),
      eos_id_(eos_id),
      unk_id_(unk_id),
      add_space_prefix_(add_space_prefix) {
  const size_t n = pieces_.size();
  if (scores_.size() != n || types_.size() != n)
    throw ModelError(fmt::format("tokenizer: {} pieces but {} scores and {} types", n,
                                 scores_.size(), types_.size()));
  for (auto [name, id] : {std::pair{"bos", bos_id}, {"eos", eos_id}, {"unk", unk_id}})
    if (id < -1 || id >= static_cast<int>(n))
      throw ModelError(fmt::format("tokenizer: {} id {} is outside the vocabulary of {} pieces",
                                   name, id, n));
  index_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (mergeable(types_[i])) index_.emplace(pieces_[i], static_cast<int>(i));  // first one wins
  for (int& b : byte_ids_) b = -1;
  // Prefer pieces typed Byte; fall back to any piece spelled <0xXX>.
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < n; ++i) {
      const int b = parse_byte_piece(pieces_[i]);
      if (b >= 0 && byte_ids_[b] < 0 && (pass == 1 || types_[i] == PieceType::Byte))
        byte_ids_[b] = static_cast<int>(i);
    }
}

int Tokenizer::find(std::string_view piece) const {
  auto it = index_.find(std::string(piece));
  return it == index_.end() ? -1 : it->second;
}

std::vector<int> Tokenizer::encode(std::string_view text, bool add_bos) const {
  if (empty()) throw ModelError("tokenizer: the model has no tokenizer (token ids only)");
  std::vector<int> out;
  if (add_bos && bos_id_ >= 0) out.push_back(bos_id_);
  if (text.empty()) return out;

  std::string s;
  s.reserve(text.size() + 3 * 8);
  if (add_space_prefix_) s += kSpace;
  for (char c : text) {
    if (c == ' ')
      s += kSpace;
    else
      s += c;
  }

  struct Symbol {
    size_t start, len;
    int prev, next;
  };
  std::vector<Symbol> sym;
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8_char_len(s, i);
    const int idx = static_cast<int>(sym.size());
    sym.push_back({i, len, idx - 1, i + len < s.size() ? idx + 1 : -1});
    i += len;
  }

  // The SentencePiece BPE loop (llama.cpp's llm_tokenizer_spm): repeatedly merge the adjacent
  // pair whose concatenation is the best-scoring piece, leftmost first on ties. Stale queue
  // entries (a side merged meanwhile) are recognised by their recorded lengths and skipped.
  struct Bigram {
    float score;
    int left, right;
    size_t len;
  };
  auto worse = [](const Bigram& a, const Bigram& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  auto try_add = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const size_t len = sym[l].len + sym[r].len;
    const int id = find(std::string_view(s).substr(sym[l].start, len));
    if (id >= 0) queue.push({scores_[static_cast<size_t>(id)], l, r, len});
  };
  for (size_t i = 1; i < sym.size(); ++i) try_add(static_cast<int>(i) - 1, static_cast<int>(i));
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = sym[b.left];
    Symbol& r = sym[b.right];
    if (l.len == 0 || r.len == 0 || l.next != b.right || l.len + r.len != b.len) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) sym[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

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
  return out;
}

std::string Tokenizer::decode(int prev, int token) const {
  if (token < 0 || token >= vocab_size())
    throw std::out_of_range(fmt::format("tokenizer: token id {} is outside the vocabulary of {}",
                                        token, vocab_size()));
  const std::string& p = pieces_[static_cast<size_t>(token)];
  switch (types_[static_cast<size_t>(token)]) {
    case PieceType::Control: return {};
    case PieceType::Unknown: return " \xE2\x81\x87 ";  // SentencePiece's " ⁇ "
    case PieceType::Byte: {
      const int b = parse_byte_piece(p);
      if (b >= 0) return std::string(1, static_cast<char>(b));
      return p;
    }
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

std::string Tokenizer::decode(const std::vector<int>& tokens) const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) out += decode(i == 0 ? bos_id_ : tokens[i - 1], tokens[i]);
  return out;
}

}  // namespace airtp
