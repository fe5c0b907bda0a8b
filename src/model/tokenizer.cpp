// What both tokenizer algorithms share: the vocabulary, special ids, the special-token
// partitioning of the text, and the dispatch to tokenizer_spm.cpp / tokenizer_bpe.cpp.
#include "model/tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/model_error.h"
#include "model/pretokenizer.h"

namespace airtp {

namespace {

bool mergeable(Tokenizer::PieceType t) {
  // Only ordinary pieces are produced by merging text; control, unknown and byte pieces never
  // are (so the literal text "<s>" or "<0x41>" is spelled out, not matched).
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
  check_ids({{"bos", bos_id}, {"eos", eos_id}, {"unk", unk_id}});
  index_pieces();
  // Prefer pieces typed Byte; fall back to any piece spelled <0xXX>.
  auto parse_byte_piece = [](std::string_view p) {
    if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = hex(p[3]), lo = hex(p[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  };
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < n; ++i) {
      const int b = parse_byte_piece(pieces_[i]);
      if (b >= 0 && byte_ids_[b] < 0 && (pass == 1 || types_[i] == PieceType::Byte))
        byte_ids_[b] = static_cast<int>(i);
    }
}

Tokenizer Tokenizer::byte_bpe(std::vector<std::string> pieces, std::vector<PieceType> types,
                              const std::vector<std::string>& merges, std::string_view pretokenizer,
                              int bos_id, int eos_id, int unk_id) {
  Tokenizer t;
  t.kind_ = Kind::ByteBpe;
  const size_t n = pieces.size();
  if (types.size() != n)
    throw ModelError(fmt::format("tokenizer: {} pieces but {} types", n, types.size()));
  t.pieces_ = std::move(pieces);
  t.types_ = std::move(types);
  t.scores_.assign(n, 0.0f);
  t.bos_id_ = bos_id;
  t.eos_id_ = eos_id;
  t.unk_id_ = unk_id;
  t.add_space_prefix_ = false;
  t.add_bos_ = false;
  t.check_ids({{"bos", bos_id}, {"eos", eos_id}, {"unk", unk_id}});
  t.pre_ = Pretokenizer::find(pretokenizer);
  if (!t.pre_) throw ModelError(fmt::format("unknown pre-tokenizer '{}' (airtp knows {})", pretokenizer, Pretokenizer::names()));
  t.index_pieces();
  t.bpe_init(merges);
  return t;
}

void Tokenizer::check_ids(std::initializer_list<std::pair<const char*, int>> ids) const {
  for (auto [name, id] : ids)
    if (id < -1 || id >= vocab_size())
      throw ModelError(fmt::format("tokenizer: {} id {} is outside the vocabulary of {} pieces",
                                   name, id, vocab_size()));
}

void Tokenizer::set_special(int eot_id, bool add_bos, bool add_eos) {
  check_ids({{"eot", eot_id}});
  eot_id_ = eot_id;
  add_bos_ = add_bos;
  add_eos_ = add_eos;
}

std::string Tokenizer::pretokenizer() const { return pre_ ? pre_->name() : std::string(); }

void Tokenizer::index_pieces() {
  const size_t n = pieces_.size();
  index_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (mergeable(types_[i])) index_.emplace(pieces_[i], static_cast<int>(i));  // first one wins
  for (size_t i = 0; i < n; ++i)
    if (!pieces_[i].empty() && (types_[i] == PieceType::Control || types_[i] == PieceType::UserDefined ||
                                types_[i] == PieceType::Unknown))
      specials_.push_back(static_cast<int>(i));
  // Longest first, so that of two specials starting at one place the longer wins (llama.cpp
  // sorts its special-token cache the same way).
  std::stable_sort(specials_.begin(), specials_.end(),
                   [&](int a, int b) { return pieces_[static_cast<size_t>(a)].size() > pieces_[static_cast<size_t>(b)].size(); });
  for (int& b : byte_ids_) b = -1;
}

int Tokenizer::find(std::string_view piece) const {
  auto it = index_.find(std::string(piece));
  return it == index_.end() ? -1 : it->second;
}

void Tokenizer::encode_text(std::string_view text, bool after_special, std::vector<int>& out) const {
  if (kind_ == Kind::SentencePiece)
    spm_encode(text, add_space_prefix_ && after_special, out);
  else
    bpe_encode(text, out);
}

std::vector<int> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  if (empty()) throw ModelError("tokenizer: the model has no tokenizer (token ids only)");
  std::vector<int> out;
  if (add_bos && bos_id_ >= 0) out.push_back(bos_id_);
  if (text.empty()) return out;
  // Special-token partitioning: text between matched specials goes to the algorithm; a
  // SentencePiece fragment after a special gets the space prefix again, as in llama.cpp.
  size_t start = 0;
  bool after_special = true;
  for (size_t i = 0; i < text.size();) {
    int match = -1;
    for (int id : specials_) {
      const std::string& p = pieces_[static_cast<size_t>(id)];
      const PieceType t = types_[static_cast<size_t>(id)];
      if (t != PieceType::UserDefined && !parse_special) continue;
      if (p[0] == text[i] && text.substr(i, p.size()) == p) {
        match = id;
        break;
      }
    }
    if (match < 0) {
      ++i;
      continue;
    }
    if (i > start) encode_text(text.substr(start, i - start), after_special, out);
    out.push_back(match);
    after_special = true;
    i += pieces_[static_cast<size_t>(match)].size();
    start = i;
  }
  if (start < text.size()) encode_text(text.substr(start), after_special, out);
  return out;
}

std::string Tokenizer::decode(int prev, int token) const {
  if (token < 0 || token >= vocab_size())
    throw std::out_of_range(fmt::format("tokenizer: token id {} is outside the vocabulary of {}",
                                        token, vocab_size()));
  return kind_ == Kind::SentencePiece ? spm_decode(prev, token) : bpe_decode(token);
}

std::string Tokenizer::decode(const std::vector<int>& tokens) const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) out += decode(i == 0 ? bos_id_ : tokens[i - 1], tokens[i]);
  return out;
}

}  // namespace airtp
