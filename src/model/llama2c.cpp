// Karpathy's llama2.c checkpoints (run.c's float32 layout, and the legacy export's version 1)
// and its tokenizer.bin. The weights are views into the mapped file.
#include <fmt/format.h>

#include <climits>
#include <filesystem>

#include "model/byte_reader.h"
#include "model/mapped_file.h"
#include "model/model.h"

namespace airtp {

namespace {

constexpr uint32_t kExportMagic = 0x616b3432;  // "ak42": llama2.c export.py, versions 1 and 2
constexpr size_t kExportHeaderBytes = 256;

// Walks the float32 payload in file order, handing out consecutive arrays.
class FloatCursor {
 public:
  explicit FloatCursor(const uint8_t* p) : p_(reinterpret_cast<const float*>(p)) {}
  const float* take(long long n) {
    const float* q = p_;
    p_ += n;
    return q;
  }

 private:
  const float* p_;
};

Matrix f32_matrix(const float* p, int rows, int cols) { return Matrix{DType::F32, rows, cols, p}; }

long long payload_floats(const ModelConfig& c, bool with_freq_cis) {
  const long long d = c.dim, h = c.hidden_dim, L = c.n_layers, kv = c.kv_dim(), v = c.vocab_size;
  long long n = v * d + L * (2 * d + 2 * d * d + 2 * kv * d + 3 * h * d) + d;
  if (with_freq_cis) n += static_cast<long long>(c.max_seq_len) * c.head_dim();  // real + imag halves
  if (!c.tied_output) n += v * d;
  return n;
}

void check_config(const ModelConfig& c, const std::string& path) {
  try {
    c.validate(path);
  } catch (const ModelError& e) {
    throw ModelError(std::string(e.what()) +
                     " (not a valid llama2.c checkpoint header; GGUF files start with \"GGUF\")");
  }
}

void check_size(const std::string& path, size_t actual, long long expected, const ModelConfig& c) {
  if (static_cast<long long>(actual) == expected) return;
  const std::string shape =
      fmt::format("dim={} hidden_dim={} n_layers={} n_heads={} n_kv_heads={} vocab_size={} seq_len={} {}",
                  c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size,
                  c.max_seq_len, c.tied_output ? "shared classifier" : "separate classifier");
  if (static_cast<long long>(actual) < expected)
    throw ModelError(fmt::format("{}: truncated file: a llama2.c checkpoint with {} is expected to be {} "
                                 "bytes, but the file has {} bytes",
                                 path, shape, expected, actual));
  throw ModelError(fmt::format("{}: file size mismatch: a llama2.c checkpoint with {} is expected to be {} "
                               "bytes, but the file has {} bytes",
                               path, shape, expected, actual));
}

ModelConfig config_from_header(const int32_t h[7], const std::string& path) {
  ModelConfig c;
  c.name = std::filesystem::path(path).stem().string();
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  c.vocab_size = h[5];
  c.max_seq_len = h[6];
  c.rope_theta = 10000.0f;  // run.c's constants
  c.norm_eps = 1e-5f;
  return c;
}

// run.c order: embedding, then each kind of layer tensor for all layers, final norm, skipped
// freq_cis tables, optional classifier.
void map_v0(Model& m, const uint8_t* payload) {
  const ModelConfig& c = m.config;
  FloatCursor cur(payload);
  const long long d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  const size_t L = static_cast<size_t>(c.n_layers);
  ModelWeights& w = m.weights;
  w.layers.resize(L);
  w.token_embd = f32_matrix(cur.take(c.vocab_size * d), c.vocab_size, c.dim);
  for (auto& l : w.layers) l.attn_norm = cur.take(d);
  for (auto& l : w.layers) l.wq = f32_matrix(cur.take(d * d), c.dim, c.dim);
  for (auto& l : w.layers) l.wk = f32_matrix(cur.take(kv * d), c.kv_dim(), c.dim);
  for (auto& l : w.layers) l.wv = f32_matrix(cur.take(kv * d), c.kv_dim(), c.dim);
  for (auto& l : w.layers) l.wo = f32_matrix(cur.take(d * d), c.dim, c.dim);
  for (auto& l : w.layers) l.ffn_norm = cur.take(d);
  for (auto& l : w.layers) l.w_gate = f32_matrix(cur.take(h * d), c.hidden_dim, c.dim);
  for (auto& l : w.layers) l.w_down = f32_matrix(cur.take(d * h), c.dim, c.hidden_dim);
  for (auto& l : w.layers) l.w_up = f32_matrix(cur.take(h * d), c.hidden_dim, c.dim);
  w.output_norm = cur.take(d);
  cur.take(static_cast<long long>(c.max_seq_len) * c.head_dim());  // freq_cis_real, freq_cis_imag
  w.output = c.tied_output ? w.token_embd : f32_matrix(cur.take(c.vocab_size * d), c.vocab_size, c.dim);
}

// export.py version 1 order: all norms first, then the embedding and the matrices.
void map_v1(Model& m, const uint8_t* payload) {
  const ModelConfig& c = m.config;
  FloatCursor cur(payload);
  const long long d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  ModelWeights& w = m.weights;
  w.layers.resize(static_cast<size_t>(c.n_layers));
  for (auto& l : w.layers) l.attn_norm = cur.take(d);
  for (auto& l : w.layers) l.ffn_norm = cur.take(d);
  w.output_norm = cur.take(d);
  w.token_embd = f32_matrix(cur.take(c.vocab_size * d), c.vocab_size, c.dim);
  for (auto& l : w.layers) l.wq = f32_matrix(cur.take(d * d), c.dim, c.dim);
  for (auto& l : w.layers) l.wk = f32_matrix(cur.take(kv * d), c.kv_dim(), c.dim);
  for (auto& l : w.layers) l.wv = f32_matrix(cur.take(kv * d), c.kv_dim(), c.dim);
  for (auto& l : w.layers) l.wo = f32_matrix(cur.take(d * d), c.dim, c.dim);
  for (auto& l : w.layers) l.w_gate = f32_matrix(cur.take(h * d), c.hidden_dim, c.dim);
  for (auto& l : w.layers) l.w_down = f32_matrix(cur.take(d * h), c.dim, c.hidden_dim);
  for (auto& l : w.layers) l.w_up = f32_matrix(cur.take(h * d), c.hidden_dim, c.dim);
  w.output = c.tied_output ? w.token_embd : f32_matrix(cur.take(c.vocab_size * d), c.vocab_size, c.dim);
}

}  // namespace

Model load_llama2c(const std::string& path, const std::string& tokenizer_path) {
  MappedFile map = map_file(path);
  ByteReader r(map.data, map.size, path);
  Model m;
  m.path = path;
  m.format = "llama2c";
  m.weight_type = DType::F32;

  uint32_t magic = 0;
  if (map.size >= 4) std::memcpy(&magic, map.data, 4);
  int32_t h[7];
  if (magic == kExportMagic) {
    r.skip(4, "llama2.c magic");
    const auto version = r.read<int32_t>("llama2.c version");
    if (version == 2)
      r.fail("llama2.c version 2 checkpoints (int8 groups) are not supported; export with version 0 or 1");
    if (version != 1) r.fail(fmt::format("unsupported llama2.c version {} (airtp reads 0 and 1)", version));
    for (int32_t& x : h) x = r.read<int32_t>("llama2.c header");
    const auto shared = r.read<uint8_t>("llama2.c shared-classifier flag");
    m.config = config_from_header(h, path);
    m.config.tied_output = shared != 0;
    check_config(m.config, path);
    check_size(path, map.size,
               static_cast<long long>(kExportHeaderBytes) + 4 * payload_floats(m.config, false), m.config);
    map_v1(m, map.data + kExportHeaderBytes);
  } else {
    for (int32_t& x : h) x = r.read<int32_t>("llama2.c header");
    // run.c: a negative vocab_size marks an unshared classifier stored at the end.
    const bool shared = h[5] > 0;
    if (h[5] != INT_MIN) h[5] = h[5] < 0 ? -h[5] : h[5];
    m.config = config_from_header(h, path);
    m.config.tied_output = shared;
    check_config(m.config, path);
    check_size(path, map.size, static_cast<long long>(r.pos()) + 4 * payload_floats(m.config, true), m.config);
    map_v0(m, map.data + r.pos());
  }
  m.storage = map.keep;
  m.weights_mapped = true;

  std::string tok = tokenizer_path;
  if (tok.empty()) {
    const auto guess = std::filesystem::path(path).parent_path() / "tokenizer.bin";
    std::error_code ec;
    if (std::filesystem::is_regular_file(guess, ec)) tok = guess.string();
  }
  if (!tok.empty()) m.tokenizer = load_llama2c_tokenizer(tok, m.config.vocab_size);
  return m;
}

Tokenizer load_llama2c_tokenizer(const std::string& path, int vocab_size) {
  MappedFile map = map_file(path, "tokenizer file");
  ByteReader r(map.data, map.size, path);
  if (vocab_size < 3)
    r.fail(fmt::format("a llama2.c tokenizer needs at least 3 tokens (<unk>, <s>, </s>), the model has {}",
                       vocab_size));
  const auto max_len = r.read<int32_t>("max_token_length");
  if (max_len <= 0) r.fail(fmt::format("invalid max_token_length {}", max_len));
  const size_t n = static_cast<size_t>(vocab_size);
  // Each entry takes at least 8 bytes: reject a vocabulary this file cannot hold before reserving.
  if (n > r.remaining() / 8)
    r.fail(fmt::format("truncated file: {} tokens need at least {} bytes, but only {} remain", n, n * 8,
                       r.remaining()));
  std::vector<std::string> pieces(n);
  std::vector<float> scores(n);
  std::vector<Tokenizer::PieceType> types(n, Tokenizer::PieceType::Normal);
  for (size_t i = 0; i < n; ++i) {
    if (r.remaining() < 8)
      r.fail(fmt::format("truncated file: token {} at offset {} needs 8 bytes for its score and length, "
                         "but the file has {} bytes",
                         i, r.pos(), r.size()));
    scores[i] = r.read<float>("token score");
    const size_t at = r.pos();
    const auto len = r.read<int32_t>("token length");
    if (len < 0 || static_cast<size_t>(len) > r.remaining())
      r.fail(fmt::format("length {} of token {} at offset {} exceeds the remaining {} bytes of the file "
                         "(truncated or corrupt)",
                         len, i, at, r.remaining()));
    const std::string_view raw = r.bytes(static_cast<size_t>(len), "token bytes");
    std::string& p = pieces[i];
    for (char ch : raw) {
      if (ch == ' ')
        p += "\xE2\x96\x81";  // llama2.c's export turned U+2581 into ' '; restore SentencePiece's form
      else
        p += ch;
    }
    const bool is_byte = p.size() == 6 && p.starts_with("<0x") && p.ends_with('>');
    if (is_byte) types[i] = Tokenizer::PieceType::Byte;
  }
  if (r.remaining() != 0)
    r.fail(fmt::format("{} bytes remain after the {} tokens of the model's vocabulary (tokenizer for a "
                       "different model?)",
                       r.remaining(), n));
  // export.py writes BOS/EOS as "\n<s>\n" / "\n</s>\n"; the SentencePiece names are canonical.
  pieces[0] = "<unk>";
  pieces[1] = "<s>";
  pieces[2] = "</s>";
  types[0] = Tokenizer::PieceType::Unknown;
  types[1] = types[2] = Tokenizer::PieceType::Control;
  return Tokenizer(std::move(pieces), std::move(scores), std::move(types), 1, 2, 0, true);
}

}  // namespace airtp
