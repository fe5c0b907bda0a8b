// Llama models from GGUF: hyper-parameters from llama.*, tokenizer from tokenizer.ggml.*, and the
// weights as views into the mapped file after every tensor's type and shape is checked.
#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <filesystem>

#include "model/gguf_file.h"
#include "model/model.h"

namespace airtp {

namespace {

// Strings from the file quoted in a message: printable ASCII, other bytes as \xNN (a NUL would
// cut the message, what() being a C string), bounded length; as gguf_file.cpp does for keys.
std::string printable(std::string_view s) {
  std::string out;
  for (const char ch : s.substr(0, 64)) {
    const auto c = static_cast<unsigned char>(ch);
    out += c < 0x20 || c >= 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, ch);
  }
  return s.size() > 64 ? out + "..." : out;
}

class GgufLlamaReader {
 public:
  explicit GgufLlamaReader(const std::string& path) : f_(gguf::File::open(path)) {}

  Model read() {
    Model m;
    m.path = f_.path();
    m.format = "gguf";
    m.storage = f_.mapping().keep;
    m.weights_mapped = true;
    const auto arch = f_.get_string_opt("general.architecture");
    if (!arch) fail("missing metadata key 'general.architecture'");
    if (*arch != "llama")
      fail(fmt::format("unsupported architecture '{}' (airtp runs 'llama' models)", printable(*arch)));
    read_config(m.config);
    read_tokenizer(m);
    if (const auto n = f_.get_int_opt("llama.vocab_size"); n && *n != m.config.vocab_size)
      fail(fmt::format("llama.vocab_size = {} but the vocabulary has {} tokens", *n, m.config.vocab_size));
    m.config.validate(m.path);
    if (const auto rd = f_.get_int_opt("llama.rope.dimension_count"); rd && *rd != m.config.head_dim())
      fail(fmt::format("llama.rope.dimension_count = {} differs from head_dim = {} (partial rotary "
                       "embedding is not supported)",
                       *rd, m.config.head_dim()));
    read_weights(m);
    return m;
  }

 private:
  [[noreturn]] void fail(std::string_view msg) const {
    throw ModelError(fmt::format("{}: {}", f_.path(), msg));
  }

  int dim_value(const char* key, std::optional<int64_t> def = std::nullopt) const {
    auto v = f_.get_int_opt(key);
    if (!v) v = def;
    if (!v) fail(fmt::format("missing metadata key '{}'", key));
    if (*v < 1 || *v > INT_MAX) fail(fmt::format("metadata '{}' = {} is out of range", key, *v));
    return static_cast<int>(*v);
  }

  void read_config(ModelConfig& c) const {
    c.name = f_.get_string_opt("general.name")
                 .value_or(std::filesystem::path(f_.path()).stem().string());
    if (const auto e = f_.get_int_opt("llama.expert_count"); e && *e > 0)
      fail(fmt::format("mixture-of-experts models (llama.expert_count = {}) are not supported", *e));
    c.dim = dim_value("llama.embedding_length");
    c.hidden_dim = dim_value("llama.feed_forward_length");
    c.n_layers = dim_value("llama.block_count");
    c.n_heads = dim_value("llama.attention.head_count");
    c.n_kv_heads = dim_value("llama.attention.head_count_kv", c.n_heads);
    c.max_seq_len = dim_value("llama.context_length");
    c.rope_theta = static_cast<float>(f_.get_float_opt("llama.rope.freq_base").value_or(10000.0));
    c.norm_eps =
        static_cast<float>(f_.get_float_opt("llama.attention.layer_norm_rms_epsilon").value_or(1e-5));
  }

  void read_tokenizer(Model& m) const {
    if (!f_.find("tokenizer.ggml.tokens")) {
      // Token ids only: the vocabulary is the embedding's row count.
      const gguf::TensorInfo* t = f_.find_tensor("token_embd.weight");
      if (!t) fail("missing tensor 'token_embd.weight'");
      if (t->ne[1] > INT_MAX) fail(fmt::format("tensor 'token_embd.weight' has shape {}", t->shape()));
      m.config.vocab_size = static_cast<int>(t->ne[1]);
      return;
    }
    const std::string model = f_.get_string_opt("tokenizer.ggml.model").value_or("llama");
    if (model != "llama")
      fail(fmt::format("unsupported tokenizer model '{}' (airtp implements the SentencePiece "
                       "'llama' tokenizer)",
                       printable(model)));
    std::vector<std::string> pieces = f_.get_string_array("tokenizer.ggml.tokens");
    const size_t n = pieces.size();
    if (n == 0 || n > INT_MAX) fail(fmt::format("tokenizer.ggml.tokens has {} entries", n));
    std::vector<float> scores(n, 0.0f);
    if (f_.find("tokenizer.ggml.scores")) {
      scores = f_.get_float_array("tokenizer.ggml.scores");
      if (scores.size() != n)
        fail(fmt::format("tokenizer.ggml.scores has {} entries but tokenizer.ggml.tokens has {}",
                         scores.size(), n));
    }
    std::vector<Tokenizer::PieceType> types(n, Tokenizer::PieceType::Normal);
    if (f_.find("tokenizer.ggml.token_type")) {
      const auto raw = f_.get_int_array("tokenizer.ggml.token_type");
      if (raw.size() != n)
        fail(fmt::format("tokenizer.ggml.token_type has {} entries but tokenizer.ggml.tokens has {}",
                         raw.size(), n));
      for (size_t i = 0; i < n; ++i) {
        if (raw[i] < 0 || raw[i] > 6)
          fail(fmt::format("tokenizer.ggml.token_type[{}] = {} is not a valid token type", i, raw[i]));
        // 0 is llama.cpp's "undefined", which it treats as normal.
        types[i] = raw[i] == 0 ? Tokenizer::PieceType::Normal : static_cast<Tokenizer::PieceType>(raw[i]);
      }
    }
    auto special = [&](const char* key, int def) {
      const auto v = f_.get_int_opt(key);
      if (!v) return def < static_cast<int>(n) ? def : -1;
      if (*v < -1 || *v >= static_cast<int64_t>(n))
        fail(fmt::format("{} = {} is outside the vocabulary of {} tokens", key, *v, n));
      return static_cast<int>(*v);
    };
    // llama.cpp's defaults for SentencePiece vocabularies.
    const int bos = special("tokenizer.ggml.bos_token_id", 1);
    const int eos = special("tokenizer.ggml.eos_token_id", 2);
    const int unk = special("tokenizer.ggml.unknown_token_id", 0);
    const bool prefix = f_.get_bool_opt("tokenizer.ggml.add_space_prefix").value_or(true);
    m.tokenizer = Tokenizer(std::move(pieces), std::move(scores), std::move(types), bos, eos, unk, prefix);
    m.config.vocab_size = static_cast<int>(n);
  }

  const gguf::TensorInfo& tensor(const std::string& name, uint64_t ne0, uint64_t ne1) const {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) fail(fmt::format("missing tensor '{}'", name));
    const uint64_t want[gguf::kMaxDims] = {ne0, ne1, 1, 1};
    bool ok = true;
    for (int d = 0; d < gguf::kMaxDims; ++d) ok = ok && t->ne[d] == want[d];
    if (!ok) {
      const std::string expected = ne1 == 1 ? fmt::format("[{}]", ne0) : fmt::format("[{}, {}]", ne0, ne1);
      fail(fmt::format("tensor '{}' has shape {}, expected {} from the hyper-parameters", name,
                       t->shape(), expected));
    }
    return *t;
  }

  // A weight matrix of `rows` outputs by `cols` inputs (GGML ne = [cols, rows]).
  Matrix matrix(const std::string& name, int rows, int cols) const {
    const gguf::TensorInfo& t = tensor(name, static_cast<uint64_t>(cols), static_cast<uint64_t>(rows));
    return Matrix{t.type, rows, cols, t.data};
  }

  const float* norm(const std::string& name, int n) const {
    const gguf::TensorInfo& t = tensor(name, static_cast<uint64_t>(n), 1);
    if (t.type != DType::F32)
      fail(fmt::format("tensor '{}' has type {}; vector weights (norms, rope factors) must be F32", name, gguf::ggml_type_name(t.ggml_type)));
    return reinterpret_cast<const float*>(t.data);
  }

  void read_weights(Model& m) const {
    const ModelConfig& c = m.config;
    ModelWeights& w = m.weights;
    w.token_embd = matrix("token_embd.weight", c.vocab_size, c.dim);
    w.layers.resize(static_cast<size_t>(c.n_layers));
    for (int l = 0; l < c.n_layers; ++l) {
      LayerWeights& L = w.layers[static_cast<size_t>(l)];
      const std::string p = fmt::format("blk.{}.", l);
      L.attn_norm = norm(p + "attn_norm.weight", c.dim);
      L.wq = matrix(p + "attn_q.weight", c.dim, c.dim);
      L.wk = matrix(p + "attn_k.weight", c.kv_dim(), c.dim);
      L.wv = matrix(p + "attn_v.weight", c.kv_dim(), c.dim);
      L.wo = matrix(p + "attn_output.weight", c.dim, c.dim);
      L.ffn_norm = norm(p + "ffn_norm.weight", c.dim);
      L.w_gate = matrix(p + "ffn_gate.weight", c.hidden_dim, c.dim);
      L.w_down = matrix(p + "ffn_down.weight", c.dim, c.hidden_dim);
      L.w_up = matrix(p + "ffn_up.weight", c.hidden_dim, c.dim);
    }
    w.output_norm = norm("output_norm.weight", c.dim);
    // Llama 3.1 and later: per-frequency rope scaling factors (llama.cpp reads this tensor too).
    if (f_.find_tensor("rope_freqs.weight")) {
      const float* ff = norm("rope_freqs.weight", c.head_dim() / 2);
      for (int i = 0; i < c.head_dim() / 2; ++i)
        if (!(ff[i] > 0.0f) || !std::isfinite(ff[i]))
          fail(fmt::format("tensor 'rope_freqs.weight' has factor {} at index {}; factors must be positive and finite",
                           ff[i], i));
      m.config.rope_freq_factors.assign(ff, ff + c.head_dim() / 2);
    }
    m.config.tied_output = f_.find_tensor("output.weight") == nullptr;
    w.output = m.config.tied_output ? w.token_embd : matrix("output.weight", c.vocab_size, c.dim);
    m.weight_type = w.layers[0].wq.type;
  }

  gguf::File f_;
};

}  // namespace

Model load_gguf(const std::string& path) { return GgufLlamaReader(path).read(); }

}  // namespace airtp
