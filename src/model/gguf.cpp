// Llama models from GGUF: hyper-parameters from llama.*, tokenizer from tokenizer.ggml.*, and the
// weights as views into the mapped file after every tensor's type and shape is checked.
#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <filesystem>

#include "model/gguf_file.h"
#include "model/gguf_tokenizer.h"
#include "model/printable.h"
#include "model/model.h"

namespace airtp {

namespace {

class GgufLlamaReader {
 public:
  explicit GgufLlamaReader(const std::string& path) : f_(gguf::File::open(path)) {}

  Model read() {
    Model m;
    m.path = f_.path();
    m.format = "gguf";
    m.storage = f_.mapping().keep;
    m.weights_mapped = true;
    // Before the architecture: a vocabulary file of any architecture is refused the same way.
    if (f_.tensors().empty() && f_.find("tokenizer.ggml.tokens"))
      fail("has no tensors: a vocabulary-only file (airtp tokenize reads it; generation needs a model)");
    const auto arch = f_.get_string_opt("general.architecture");
    if (!arch) fail("missing metadata key 'general.architecture'");
    if (*arch != "llama")
      fail(fmt::format("unsupported architecture '{}' (airtp runs 'llama' models)", printable(*arch)));
    read_config(m.config);
    read_tokenizer(m);
    m.chat_template = f_.get_string_opt("tokenizer.chat_template").value_or("");
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
    m.tokenizer = read_gguf_tokenizer(f_);
    if (!m.tokenizer.empty()) {
      m.config.vocab_size = m.tokenizer.vocab_size();
      return;
    }
    // Token ids only: the vocabulary is the embedding's row count.
    const gguf::TensorInfo* t = f_.find_tensor("token_embd.weight");
    if (!t) fail("missing tensor 'token_embd.weight'");
    if (t->ne[1] > INT_MAX) fail(fmt::format("tensor 'token_embd.weight' has shape {}", t->shape()));
    m.config.vocab_size = static_cast<int>(t->ne[1]);
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
