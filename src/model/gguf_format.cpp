#include "model/gguf_format.h"

#include <array>

#include "tensor/type_traits.h"

namespace airtp::gguf {

size_t value_type_size(uint32_t t) {
  static constexpr std::array<size_t, kValueTypeCount> sizes = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
  return t < kValueTypeCount ? sizes[t] : 0;
}

std::string value_type_name(uint32_t t) {
  static constexpr std::array<const char*, kValueTypeCount> names = {
      "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
      "bool",  "string", "array", "uint64", "int64", "float64"};
  return t < kValueTypeCount ? names[t] : "type " + std::to_string(t);
}

std::string ggml_type_name(uint32_t t) {
  // ggml.h's enum ggml_type; ids 4, 5 (Q4_2, Q4_3) and 31..33 are retired.
  static constexpr std::array<const char*, 40> names = {
      "F32",     "F16",    "Q4_0",   "Q4_1",    "",        "",      "Q5_0",   "Q5_1",
      "Q8_0",    "Q8_1",   "Q2_K",   "Q3_K",    "Q4_K",    "Q5_K",  "Q6_K",   "Q8_K",
      "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",  "IQ4_NL",  "IQ3_S", "IQ2_S",  "IQ4_XS",
      "I8",      "I16",    "I32",    "I64",     "F64",     "IQ1_M", "BF16",   "",
      "",        "",       "TQ1_0",  "TQ2_0",   "",        "",      "",       "MXFP4"};
  return t < names.size() ? names[t] : "";
}

std::optional<DType> dtype_from_ggml(uint32_t t) {
  const TypeTraits* tr = find_ggml_type(t);
  return tr ? std::optional<DType>(tr->type) : std::nullopt;
}

uint32_t ggml_from_dtype(DType t) { return type_traits(t).ggml_type; }

}  // namespace airtp::gguf
