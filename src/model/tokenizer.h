// Llama/SentencePiece-style tokenizer: a vocabulary of pieces with scores, BPE merges by score
// (the SentencePiece "bpe" model as llama.cpp's LLAMA_VOCAB_TYPE_SPM implements it), "▁" for
// spaces, and byte fallback (<0xXX> pieces) for text the vocabulary cannot spell.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace airtp {

class Tokenizer {
 public:
  enum class PieceType : uint8_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

  Tokenizer() { for (int& b : byte_ids_) b = -1; }
  Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::vector<PieceType> types,
            int bos_id, int eos_id, int unk_id, bool add_space_prefix = true);
  // The constructor throws ModelError when the arrays differ in length or an id (bos/eos/unk;
  // -1 means "none") is outside the vocabulary.

  bool empty() const { return pieces_.empty(); }
  int vocab_size() const { return static_cast<int>(pieces_.size()); }
  int bos() const { return bos_id_; }
  int eos() const { return eos_id_; }
  int unk() const { return unk_id_; }
  bool add_space_prefix() const { return add_space_prefix_; }
  float score(int id) const { return scores_.at(static_cast<size_t>(id)); }
  PieceType type(int id) const { return types_.at(static_cast<size_t>(id)); }
  // Id of the piece exactly equal to `piece` among the pieces text can merge into (normal,
  // user-defined, unused), or -1.
  int find(std::string_view piece) const;
  // Id of the byte-fallback piece <0xXX> for byte b, or -1 when the vocabulary has none.
  int byte_piece(uint8_t b) const { return byte_ids_[b]; }

  // Encodes UTF-8 text; prepends BOS when add_bos. Never fails on text: unknown bytes use byte
  // pieces (or unk when the vocabulary has none). Throws ModelError on an empty tokenizer.
  std::vector<int> encode(std::string_view text, bool add_bos) const;
  // Text of one token when it follows `prev` (drops the leading space after BOS, decodes <0xXX>,
  // control tokens give ""). Throws std::out_of_range for an id outside the vocabulary.
  std::string decode(int prev, int token) const;
  // Text of a whole sequence; the first token is treated as following BOS.
  std::string decode(const std::vector<int>& tokens) const;
  const std::string& piece(int id) const { return pieces_.at(static_cast<size_t>(id)); }

 private:
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<PieceType> types_;
  std::unordered_map<std::string, int> index_;
  int byte_ids_[256];
  int bos_id_ = 1, eos_id_ = 2, unk_id_ = 0;
  bool add_space_prefix_ = true;
};

}  // namespace airtp
