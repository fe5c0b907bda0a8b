// Constants of the GGUF container (llama.cpp's model file format, versions 2 and 3 share one
// little-endian layout):
//   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv x  (string key, u32 value type, value)
//   n_tensors x (string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset)
//   padding to `general.alignment` | tensor data (offsets relative to here, each aligned)
// where string = u64 length + bytes, and array = u32 element type + u64 count + elements.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "tensor/dtype.h"

namespace airtp::gguf {

inline constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
inline constexpr uint32_t kVersion = 3;
inline constexpr uint32_t kDefaultAlignment = 32;
inline constexpr int kMaxDims = 4;  // GGML_MAX_DIMS

enum class ValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
inline constexpr uint32_t kValueTypeCount = 13;

// Size of a fixed-size value type; 0 for STRING and ARRAY (and for ids out of range).
size_t value_type_size(uint32_t t);
// "uint32", "string", ... or "type 77" for ids out of range.
std::string value_type_name(uint32_t t);

// GGML tensor type ids that airtp reads.
inline constexpr uint32_t kTypeF32 = 0;
inline constexpr uint32_t kTypeF16 = 1;
inline constexpr uint32_t kTypeQ8_0 = 8;

// "F32", "Q4_K", ... for every GGML type id known to llama.cpp; empty for unknown ids.
std::string ggml_type_name(uint32_t t);
// The airtp DType for a supported GGML type id.
std::optional<DType> dtype_from_ggml(uint32_t t);
uint32_t ggml_from_dtype(DType t);

}  // namespace airtp::gguf
