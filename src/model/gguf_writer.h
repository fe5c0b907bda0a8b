// Writing GGUF v3 files: a low-level Writer (metadata + tensors, with hooks to produce
// deliberately malformed files for tests) and save_gguf, which stores a loaded Model as a Llama
// GGUF in F32, F16 or Q8_0 (the basis of `airtp convert`, llama2.c -> GGUF).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/gguf_format.h"
#include "model/model.h"

namespace airtp {

namespace gguf {

class Writer {
 public:
  // An alignment other than the default is also recorded as general.alignment.
  explicit Writer(uint32_t alignment = kDefaultAlignment);

  // Header overrides, only for building broken files.
  void set_magic(uint32_t magic) { magic_ = magic; }
  void set_version(uint32_t version) { version_ = version; }

  void add_uint8(const std::string& key, uint8_t v);
  void add_int8(const std::string& key, int8_t v);
  void add_uint16(const std::string& key, uint16_t v);
  void add_int16(const std::string& key, int16_t v);
  void add_uint32(const std::string& key, uint32_t v);
  void add_int32(const std::string& key, int32_t v);
  void add_uint64(const std::string& key, uint64_t v);
  void add_int64(const std::string& key, int64_t v);
  void add_float32(const std::string& key, float v);
  void add_float64(const std::string& key, double v);
  void add_bool(const std::string& key, bool v);
  void add_string(const std::string& key, std::string_view v);
  void add_string_array(const std::string& key, const std::vector<std::string>& v);
  void add_float32_array(const std::string& key, const std::vector<float>& v);
  void add_int32_array(const std::string& key, const std::vector<int32_t>& v);
  // Any value as its type id and the encoded bytes after the type field (nested arrays, or
  // deliberately inconsistent lengths and counts). Use encode_* below to build payloads.
  void add_raw(const std::string& key, uint32_t type, std::vector<uint8_t> payload);

  // A tensor with its GGML type id and shape in GGML order (ne[0] = row length). Neither is
  // checked, so tests can write unknown types and wrong shapes; `data` is written as given.
  void add_tensor(const std::string& name, uint32_t ggml_type, std::vector<uint64_t> ne,
                  std::vector<uint8_t> data);
  // Data produced at write time, `nbytes` long: converting a model holds one tensor at a time.
  void add_tensor(const std::string& name, uint32_t ggml_type, std::vector<uint64_t> ne, size_t nbytes,
                  std::function<std::vector<uint8_t>()> produce);
  // Records `offset` for tensor `name` instead of the computed one (data is still written at the
  // computed place): for misaligned / out-of-range offset tests.
  void set_tensor_offset(const std::string& name, uint64_t offset);

  // Writes to a temporary beside `path`, runs `check` on it (which may throw to abandon the
  // write), then renames it over `path`. Throws std::runtime_error when the file cannot be written.
  void write(const std::string& path, const std::function<void(const std::string& temp)>& check = {}) const;
  std::vector<uint8_t> bytes() const;

 private:
  struct Tensor {
    std::string name;
    uint32_t type;
    std::vector<uint64_t> ne;
    size_t nbytes;
    std::function<std::vector<uint8_t>()> produce;
    bool offset_overridden = false;
    uint64_t offset = 0;
  };
  void add_kv(const std::string& key, ValueType type, const std::vector<uint8_t>& payload);
  template <class Sink>
  void emit(Sink& out) const;

  uint32_t magic_ = kMagic;
  uint32_t version_ = kVersion;
  uint32_t alignment_;
  uint64_t n_kv_ = 0;
  std::vector<uint8_t> kv_bytes_;  // encoded key/value pairs in insertion order
  std::vector<Tensor> tensors_;
};

// Little-endian encodings of GGUF values, for add_raw payloads.
template <class T>
void encode_scalar(std::vector<uint8_t>& out, T v);
void encode_string(std::vector<uint8_t>& out, std::string_view s);

}  // namespace gguf

// Writes `model` as a GGUF v3 Llama file with its big matrices in `type` (norms stay F32). The
// weights are dequantized and re-encoded when the types differ; a matrix whose rows cannot be cut
// into Q8_0 blocks (row length not a multiple of 32) is stored as F16 instead. The tokenizer is
// written when the model has one; a tied classifier is written as no output.weight. The file is
// written atomically (Writer::write), `check` seeing the complete temporary before the rename.
void save_gguf(const Model& model, const std::string& path, DType type,
               const std::function<void(const std::string& temp)>& check = {});

// general.* and llama.* keys of a Llama GGUF of `c` whose matrices are `type` (no tokenizer).
void add_llama_metadata(gguf::Writer& w, const ModelConfig& c, DType type);

// The type a matrix of `cols`-long rows is stored in when `want` is asked: F16 when its rows do
// not cut into whole blocks of `want`.
DType stored_matrix_type(DType want, int cols);
// A [rows, cols] matrix whose rows fill_row(r, out) produces as floats at write time (in order,
// one tensor in memory at a time), encoded in stored_matrix_type(want, cols).
void add_matrix_rows(gguf::Writer& w, const std::string& name, int rows, int cols, DType want,
                     std::function<void(int, float*)> fill_row);

}  // namespace airtp
