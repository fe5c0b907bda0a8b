// A validated, memory-mapped GGUF container: metadata and tensor directory. Opening checks the
// whole structure (magic, version, every length and count against the file size, value types,
// tensor types, alignment, data ranges, duplicates) before anything is handed out, so the
// accessors below never read outside the file. Knows nothing about Llama; see load_gguf.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/gguf_format.h"
#include "model/mapped_file.h"
#include "tensor/dtype.h"

namespace airtp::gguf {

struct TensorInfo {
  std::string name;
  uint32_t ggml_type = 0;
  DType type = DType::F32;
  int n_dims = 0;
  uint64_t ne[kMaxDims] = {1, 1, 1, 1};  // ne[0] = row length; dimensions past n_dims are 1
  uint64_t offset = 0;                   // relative to the start of the data section
  size_t nbytes = 0;
  const uint8_t* data = nullptr;         // inside the mapping
  std::string shape() const;             // "[ne0, ne1, ...]" (GGML order)
};

// Where a metadata value sits in the mapping (already validated).
struct Value {
  uint32_t type = 0;       // ValueType
  size_t pos = 0;          // offset of the payload in the file
  uint32_t elem_type = 0;  // arrays only
  uint64_t count = 0;      // arrays only
};

class File {
 public:
  // Maps and validates `path`. Throws ModelError "<path>: <problem>".
  static File open(const std::string& path);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  size_t data_offset() const { return data_offset_; }
  const MappedFile& mapping() const { return map_; }

  const std::vector<std::string>& keys() const { return keys_; }
  const Value* find(std::string_view key) const;

  // Typed getters. The *_opt forms return nullopt for a missing key; all throw ModelError naming
  // the file and key when the stored type does not fit. Integers accept any integer type that
  // holds the value; floats accept float32 and float64.
  std::optional<int64_t> get_int_opt(std::string_view key) const;
  std::optional<double> get_float_opt(std::string_view key) const;
  std::optional<bool> get_bool_opt(std::string_view key) const;
  std::optional<std::string> get_string_opt(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::vector<std::string> get_string_array(std::string_view key) const;
  std::vector<float> get_float_array(std::string_view key) const;
  std::vector<int64_t> get_int_array(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;

 private:
  [[noreturn]] void fail(std::string_view msg) const;
  const Value& require(std::string_view key) const;

  std::string path_;
  MappedFile map_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kDefaultAlignment;
  size_t data_offset_ = 0;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, Value> values_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace airtp::gguf
