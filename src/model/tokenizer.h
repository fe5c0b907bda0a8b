// The tokenizer every part of airtp uses, over two algorithms chosen by the vocabulary:
//  - SentencePiece BPE (GGUF tokenizer.ggml.model "llama"; llama.cpp's LLAMA_VOCAB_TYPE_SPM):
//    pieces with scores merged best score first, "▁" for spaces, byte fallback (<0xXX> pieces);
//    tokenizer_spm.cpp.
//  - Byte-level BPE (model "gpt2": GPT-2, Llama 3, ...; LLAMA_VOCAB_TYPE_BPE): text cut into
//    words by a pre-tokenizer regex (pretokenizer.h), each word's bytes spelled with GPT-2's
//    byte-to-unicode alphabet and merged by the rank of tokenizer.ggml.merges; tokenizer_bpe.cpp.
// Special tokens: user-defined pieces (type 4) are always matched whole in the text before the
// algorithm runs, control pieces (type 3, e.g. "<|endoftext|>") only when encode is asked to
// parse specials, as llama.cpp's special-token partitioning does. Without that, text is only
// text: decode(encode(s)) == s.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace airtp {

class Pretokenizer;

class Tokenizer {
 public:
  enum class PieceType : uint8_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
  enum class Kind : uint8_t { SentencePiece, ByteBpe };

  Tokenizer() { for (int& b : byte_ids_) b = -1; }
  // SentencePiece. Throws ModelError when the arrays differ in length or an id (bos/eos/unk;
  // -1 means "none") is outside the vocabulary.
  Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::vector<PieceType> types,
            int bos_id, int eos_id, int unk_id, bool add_space_prefix = true);
  // Byte-level BPE: `merges` are "left right" pairs of pieces, rank = index; `pretokenizer` a
  // name Pretokenizer::find knows. Throws ModelError on an unknown pre-tokenizer, a malformed
  // merge or an id outside the vocabulary.
  static Tokenizer byte_bpe(std::vector<std::string> pieces, std::vector<PieceType> types,
                            const std::vector<std::string>& merges, std::string_view pretokenizer, int bos_id,
                            int eos_id, int unk_id = -1);

  bool empty() const { return pieces_.empty(); }
  Kind kind() const { return kind_; }
  const char* kind_name() const { return kind_ == Kind::SentencePiece ? "SentencePiece BPE" : "byte-level BPE"; }
  int vocab_size() const { return static_cast<int>(pieces_.size()); }
  int bos() const { return bos_id_; }
  int eos() const { return eos_id_; }
  int unk() const { return unk_id_; }
  // End of turn (chat models' "<|eot_id|>" and the like), -1 when the vocabulary has none.
  int eot() const { return eot_id_; }
  // Tokens that end generation: EOS and EOT.
  bool is_end_of_generation(int id) const { return id >= 0 && (id == eos_id_ || id == eot_id_); }
  // Whether a prompt starts with BOS / ends with EOS for this vocabulary (GGUF add_bos_token /
  // add_eos_token; llama.cpp's defaults: BOS for SentencePiece, neither for byte-level BPE).
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  void set_special(int eot_id, bool add_bos, bool add_eos);
  bool add_space_prefix() const { return add_space_prefix_; }
  // The pre-tokenizer's name and the merges by rank (byte-level BPE only; empty otherwise).
  std::string pretokenizer() const;
  const std::vector<std::string>& merges() const;
  float score(int id) const { return scores_.at(static_cast<size_t>(id)); }
  PieceType type(int id) const { return types_.at(static_cast<size_t>(id)); }
  // Id of the piece exactly equal to `piece` among the pieces text can merge into (normal,
  // user-defined, unused), or -1.
  int find(std::string_view piece) const;
  // Id of the piece that spells byte b alone (<0xXX> for SentencePiece, the byte's character
  // of GPT-2's alphabet for byte-level BPE), or -1 when the vocabulary has none.
  int byte_piece(uint8_t b) const { return byte_ids_[b]; }

  // Encodes UTF-8 text; prepends BOS when add_bos (appends nothing else). Never fails on text:
  // unknown bytes use byte pieces (or unk when the vocabulary has none). parse_special: control
  // pieces written in the text are matched as their token. Throws ModelError on an empty
  // tokenizer.
  std::vector<int> encode(std::string_view text, bool add_bos, bool parse_special = false) const;
  // Text of one token when it follows `prev` (SentencePiece drops the leading space after BOS),
  // control tokens give "". Throws std::out_of_range for an id outside the vocabulary.
  std::string decode(int prev, int token) const;
  // Text of a whole sequence; the first token is treated as following BOS.
  std::string decode(const std::vector<int>& tokens) const;
  const std::string& piece(int id) const { return pieces_.at(static_cast<size_t>(id)); }

 private:
  void index_pieces();
  void check_ids(std::initializer_list<std::pair<const char*, int>> ids) const;
  void encode_text(std::string_view text, bool after_special, std::vector<int>& out) const;
  // tokenizer_spm.cpp
  void spm_encode(std::string_view text, bool space_prefix, std::vector<int>& out) const;
  std::string spm_decode(int prev, int token) const;
  // tokenizer_bpe.cpp
  void bpe_init(const std::vector<std::string>& merges);
  void bpe_encode(std::string_view text, std::vector<int>& out) const;
  void bpe_encode_word(std::string_view word, std::vector<int>& out) const;
  std::string bpe_decode(int token) const;

  Kind kind_ = Kind::SentencePiece;
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<PieceType> types_;
  std::unordered_map<std::string, int> index_;
  std::vector<int> specials_;  // control and user-defined ids, longest text first
  int byte_ids_[256];
  int bos_id_ = 1, eos_id_ = 2, unk_id_ = 0, eot_id_ = -1;
  bool add_space_prefix_ = true, add_bos_ = true, add_eos_ = false;
  // Byte-level BPE: "left right" -> rank, and the pre-tokenizer (shared, immutable).
  std::shared_ptr<const std::unordered_map<std::string, int>> merge_rank_;
  std::shared_ptr<const std::vector<std::string>> merges_;
  std::shared_ptr<const Pretokenizer> pre_;
};

}  // namespace airtp
