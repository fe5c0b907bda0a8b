#include "model/gguf_writer.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "tensor/kernels.h"
#include "tensor/matrix.h"
#include "tensor/type_traits.h"
#include "util/atomic_file.h"

namespace airtp {

namespace gguf {

template <class T>
void encode_scalar(std::vector<uint8_t>& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}
template void encode_scalar<uint8_t>(std::vector<uint8_t>&, uint8_t);
template void encode_scalar<int8_t>(std::vector<uint8_t>&, int8_t);
template void encode_scalar<uint16_t>(std::vector<uint8_t>&, uint16_t);
template void encode_scalar<int16_t>(std::vector<uint8_t>&, int16_t);
template void encode_scalar<uint32_t>(std::vector<uint8_t>&, uint32_t);
template void encode_scalar<int32_t>(std::vector<uint8_t>&, int32_t);
template void encode_scalar<uint64_t>(std::vector<uint8_t>&, uint64_t);
template void encode_scalar<int64_t>(std::vector<uint8_t>&, int64_t);
template void encode_scalar<float>(std::vector<uint8_t>&, float);
template void encode_scalar<double>(std::vector<uint8_t>&, double);

void encode_string(std::vector<uint8_t>& out, std::string_view s) {
  encode_scalar<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

Writer::Writer(uint32_t alignment) : alignment_(alignment) {
  if (alignment == 0) throw std::invalid_argument("gguf::Writer: alignment must be positive");
  if (alignment != kDefaultAlignment) add_uint32("general.alignment", alignment);
}

void Writer::add_kv(const std::string& key, ValueType type, const std::vector<uint8_t>& payload) {
  add_raw(key, static_cast<uint32_t>(type), payload);
}

void Writer::add_raw(const std::string& key, uint32_t type, std::vector<uint8_t> payload) {
  encode_string(kv_bytes_, key);
  encode_scalar<uint32_t>(kv_bytes_, type);
  kv_bytes_.insert(kv_bytes_.end(), payload.begin(), payload.end());
  ++n_kv_;
}

#define AIRTP_GGUF_SCALAR(fn, T, VT)                 \
  void Writer::fn(const std::string& key, T v) {     \
    std::vector<uint8_t> p;                          \
    encode_scalar<T>(p, v);                          \
    add_kv(key, ValueType::VT, p);                   \
  }
AIRTP_GGUF_SCALAR(add_uint8, uint8_t, U8)
AIRTP_GGUF_SCALAR(add_int8, int8_t, I8)
AIRTP_GGUF_SCALAR(add_uint16, uint16_t, U16)
AIRTP_GGUF_SCALAR(add_int16, int16_t, I16)
AIRTP_GGUF_SCALAR(add_uint32, uint32_t, U32)
AIRTP_GGUF_SCALAR(add_int32, int32_t, I32)
AIRTP_GGUF_SCALAR(add_uint64, uint64_t, U64)
AIRTP_GGUF_SCALAR(add_int64, int64_t, I64)
AIRTP_GGUF_SCALAR(add_float32, float, F32)
AIRTP_GGUF_SCALAR(add_float64, double, F64)
#undef AIRTP_GGUF_SCALAR

void Writer::add_bool(const std::string& key, bool v) {
  add_kv(key, ValueType::BOOL, {static_cast<uint8_t>(v ? 1 : 0)});
}

void Writer::add_string(const std::string& key, std::string_view v) {
  std::vector<uint8_t> p;
  encode_string(p, v);
  add_kv(key, ValueType::STRING, p);
}

void Writer::add_string_array(const std::string& key, const std::vector<std::string>& v) {
  std::vector<uint8_t> p;
  encode_scalar<uint32_t>(p, static_cast<uint32_t>(ValueType::STRING));
  encode_scalar<uint64_t>(p, v.size());
  for (const auto& s : v) encode_string(p, s);
  add_kv(key, ValueType::ARRAY, p);
}

void Writer::add_float32_array(const std::string& key, const std::vector<float>& v) {
  std::vector<uint8_t> p;
  encode_scalar<uint32_t>(p, static_cast<uint32_t>(ValueType::F32));
  encode_scalar<uint64_t>(p, v.size());
  for (float x : v) encode_scalar<float>(p, x);
  add_kv(key, ValueType::ARRAY, p);
}

void Writer::add_int32_array(const std::string& key, const std::vector<int32_t>& v) {
  std::vector<uint8_t> p;
  encode_scalar<uint32_t>(p, static_cast<uint32_t>(ValueType::I32));
  encode_scalar<uint64_t>(p, v.size());
  for (int32_t x : v) encode_scalar<int32_t>(p, x);
  add_kv(key, ValueType::ARRAY, p);
}

void Writer::add_tensor(const std::string& name, uint32_t ggml_type, std::vector<uint64_t> ne,
                        std::vector<uint8_t> data) {
  const size_t n = data.size();
  auto shared = std::make_shared<std::vector<uint8_t>>(std::move(data));
  add_tensor(name, ggml_type, std::move(ne), n, [shared] { return *shared; });
}

void Writer::add_tensor(const std::string& name, uint32_t ggml_type, std::vector<uint64_t> ne,
                        size_t nbytes, std::function<std::vector<uint8_t>()> produce) {
  tensors_.push_back(Tensor{name, ggml_type, std::move(ne), nbytes, std::move(produce)});
}

void Writer::set_tensor_offset(const std::string& name, uint64_t offset) {
  for (Tensor& t : tensors_)
    if (t.name == name) {
      t.offset_overridden = true;
      t.offset = offset;
      return;
    }
  throw std::invalid_argument("gguf::Writer::set_tensor_offset: no tensor named " + name);
}

template <class Sink>
void Writer::emit(Sink& out) const {
  std::vector<uint8_t> head;
  encode_scalar<uint32_t>(head, magic_);
  encode_scalar<uint32_t>(head, version_);
  encode_scalar<uint64_t>(head, tensors_.size());
  encode_scalar<uint64_t>(head, n_kv_);
  head.insert(head.end(), kv_bytes_.begin(), kv_bytes_.end());
  auto align_up = [this](uint64_t x) { return (x + alignment_ - 1) / alignment_ * alignment_; };
  std::vector<uint64_t> offsets;
  uint64_t at = 0;
  for (const Tensor& t : tensors_) {
    at = align_up(at);
    offsets.push_back(at);
    encode_string(head, t.name);
    encode_scalar<uint32_t>(head, static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) encode_scalar<uint64_t>(head, d);
    encode_scalar<uint32_t>(head, t.type);
    encode_scalar<uint64_t>(head, t.offset_overridden ? t.offset : at);
    at += t.nbytes;
  }
  head.resize(align_up(head.size()), 0);
  out(head);
  uint64_t written = 0;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (offsets[i] > written) out(std::vector<uint8_t>(offsets[i] - written, 0));
    const std::vector<uint8_t> data = tensors_[i].produce();
    if (data.size() != tensors_[i].nbytes)
      throw std::logic_error(fmt::format("gguf::Writer: tensor '{}' produced {} bytes, declared {}",
                                         tensors_[i].name, data.size(), tensors_[i].nbytes));
    out(data);
    written = offsets[i] + data.size();
  }
}

void Writer::write(const std::string& path, const std::function<void(const std::string&)>& check) const {
  AtomicFile f(path);
  auto sink = [&](const std::vector<uint8_t>& b) { f.write(b.data(), b.size()); };
  emit(sink);
  f.close_stream();
  if (check) check(f.temp_path());
  f.commit();
}

std::vector<uint8_t> Writer::bytes() const {
  std::vector<uint8_t> all;
  auto sink = [&](const std::vector<uint8_t>& b) { all.insert(all.end(), b.begin(), b.end()); };
  emit(sink);
  return all;
}

}  // namespace gguf

namespace {

void add_matrix(gguf::Writer& w, const std::string& name, const Matrix& m, DType want) {
  if (m.type == stored_matrix_type(want, m.cols)) {  // same encoding: copy, so no rounding is added
    const size_t nbytes = row_bytes(m.type, static_cast<size_t>(m.cols)) * static_cast<size_t>(m.rows);
    w.add_tensor(name, gguf::ggml_from_dtype(m.type), {static_cast<uint64_t>(m.cols), static_cast<uint64_t>(m.rows)},
                 nbytes, [m, nbytes] {
                   std::vector<uint8_t> out(nbytes);
                   std::memcpy(out.data(), m.data, nbytes);
                   return out;
                 });
    return;
  }
  add_matrix_rows(w, name, m.rows, m.cols, want, [m](int r, float* row) { dequantize_row(m, r, row); });
}

void add_norm(gguf::Writer& w, const std::string& name, const float* p, int n) {
  std::vector<uint8_t> b(sizeof(float) * static_cast<size_t>(n));
  std::memcpy(b.data(), p, b.size());
  w.add_tensor(name, gguf::kTypeF32, {static_cast<uint64_t>(n)}, std::move(b));
}

}  // namespace

DType stored_matrix_type(DType want, int cols) { return cols % block_size(want) != 0 ? DType::F16 : want; }

void add_matrix_rows(gguf::Writer& w, const std::string& name, int rows, int cols, DType want,
                     std::function<void(int, float*)> fill_row) {
  const DType t = stored_matrix_type(want, cols);
  const TypeTraits& tr = type_traits(t);
  const size_t row = row_bytes(t, static_cast<size_t>(cols));
  const size_t nbytes = row * static_cast<size_t>(rows);
  w.add_tensor(name, gguf::ggml_from_dtype(t), {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)}, nbytes,
               [rows, cols, &tr, row, nbytes, fill_row = std::move(fill_row)] {
                 std::vector<uint8_t> out(nbytes);
                 std::vector<float> x(static_cast<size_t>(cols));
                 for (int r = 0; r < rows; ++r) {
                   fill_row(r, x.data());
                   tr.from_float(x.data(), out.data() + row * static_cast<size_t>(r), cols);
                 }
                 return out;
               });
}

// The llama.cpp key set of a Llama GGUF, without tokenizer.
void add_llama_metadata(gguf::Writer& w, const ModelConfig& c, DType type) {
  w.add_string("general.architecture", "llama");
  w.add_string("general.name", c.name);
  w.add_uint32("general.file_type", type_traits(type).file_type);
  if (type_traits(type).block_size > 1) w.add_uint32("general.quantization_version", 2);  // GGML_QNT_VERSION
  w.add_uint32("llama.context_length", static_cast<uint32_t>(c.max_seq_len));
  w.add_uint32("llama.embedding_length", static_cast<uint32_t>(c.dim));
  w.add_uint32("llama.block_count", static_cast<uint32_t>(c.n_layers));
  w.add_uint32("llama.feed_forward_length", static_cast<uint32_t>(c.hidden_dim));
  w.add_uint32("llama.rope.dimension_count", static_cast<uint32_t>(c.head_dim()));
  w.add_uint32("llama.attention.head_count", static_cast<uint32_t>(c.n_heads));
  w.add_uint32("llama.attention.head_count_kv", static_cast<uint32_t>(c.n_kv_heads));
  w.add_float32("llama.attention.layer_norm_rms_epsilon", c.norm_eps);
  w.add_float32("llama.rope.freq_base", c.rope_theta);
  w.add_uint32("llama.vocab_size", static_cast<uint32_t>(c.vocab_size));
}

void save_gguf(const Model& model, const std::string& path, DType type,
               const std::function<void(const std::string&)>& check) {
  const ModelConfig& c = model.config;
  const ModelWeights& mw = model.weights;
  c.validate(model.path);
  gguf::Writer w;
  add_llama_metadata(w, c, type);
  const Tokenizer& tok = model.tokenizer;
  if (!tok.empty()) {
    std::vector<std::string> pieces;
    std::vector<float> scores;
    std::vector<int32_t> types;
    for (int i = 0; i < tok.vocab_size(); ++i) {
      pieces.push_back(tok.piece(i));
      scores.push_back(tok.score(i));
      types.push_back(static_cast<int32_t>(tok.type(i)));
    }
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_string_array("tokenizer.ggml.tokens", pieces);
    w.add_float32_array("tokenizer.ggml.scores", scores);
    w.add_int32_array("tokenizer.ggml.token_type", types);
    if (tok.bos() >= 0) w.add_uint32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(tok.bos()));
    if (tok.eos() >= 0) w.add_uint32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(tok.eos()));
    if (tok.unk() >= 0) w.add_uint32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(tok.unk()));
    w.add_bool("tokenizer.ggml.add_bos_token", true);
    w.add_bool("tokenizer.ggml.add_eos_token", false);
    w.add_bool("tokenizer.ggml.add_space_prefix", tok.add_space_prefix());
  }
  add_matrix(w, "token_embd.weight", mw.token_embd, type);
  add_norm(w, "output_norm.weight", mw.output_norm, c.dim);
  const bool tied = mw.output.data == mw.token_embd.data;
  if (!tied) add_matrix(w, "output.weight", mw.output, type);
  for (int l = 0; l < c.n_layers; ++l) {
    const LayerWeights& L = mw.layers[static_cast<size_t>(l)];
    const std::string p = fmt::format("blk.{}.", l);
    add_norm(w, p + "attn_norm.weight", L.attn_norm, c.dim);
    add_matrix(w, p + "attn_q.weight", L.wq, type);
    add_matrix(w, p + "attn_k.weight", L.wk, type);
    add_matrix(w, p + "attn_v.weight", L.wv, type);
    add_matrix(w, p + "attn_output.weight", L.wo, type);
    add_norm(w, p + "ffn_norm.weight", L.ffn_norm, c.dim);
    add_matrix(w, p + "ffn_gate.weight", L.w_gate, type);
    add_matrix(w, p + "ffn_down.weight", L.w_down, type);
    add_matrix(w, p + "ffn_up.weight", L.w_up, type);
  }
  w.write(path, check);
}

}  // namespace airtp
