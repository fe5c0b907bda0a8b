// The one table of tensor types.
#include "tensor/type_traits.h"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>
#include <vector>

#include "tensor/types/types.h"

namespace airtp {

std::span<const TypeTraits> all_types() {
  static const std::vector<TypeTraits> table = {
      f32_type(), f16_type(), q8_0_type(), q8_k_type(),
      q4_0_type(), q4_1_type(), q5_0_type(), q5_1_type(), q6_k_type(),
      q2_k_type(), q3_k_type(), q4_k_type(), q5_k_type(),
  };
  return table;
}

const TypeTraits& type_traits(DType t) {
  for (const auto& tr : all_types())
    if (tr.type == t) return tr;
  throw std::invalid_argument(fmt::format("tensor type {} is not in the type table", static_cast<int>(t)));
}

const TypeTraits* find_ggml_type(uint32_t ggml_type) {
  for (const auto& tr : all_types())
    if (tr.ggml_type == ggml_type && !tr.activation_only) return &tr;
  return nullptr;
}

const TypeTraits* find_type(std::string_view name) {
  for (const auto& tr : all_types()) {
    if (tr.activation_only || tr.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::toupper(static_cast<unsigned char>(name[i])) == tr.name[i];
    if (same) return &tr;
  }
  return nullptr;
}

std::string_view dtype_name(DType t) { return type_traits(t).name; }

int block_size(DType t) { return type_traits(t).block_size; }

size_t row_bytes(DType t, size_t n) {
  const TypeTraits& tr = type_traits(t);
  if (n % static_cast<size_t>(tr.block_size) != 0)
    throw std::invalid_argument(fmt::format("row_bytes: a {} row must hold a multiple of {} values, got {}", tr.name,
                                            tr.block_size, n));
  return n / static_cast<size_t>(tr.block_size) * tr.block_bytes;
}

double bytes_per_value(DType t) {
  const TypeTraits& tr = type_traits(t);
  return static_cast<double>(tr.block_bytes) / tr.block_size;
}

}  // namespace airtp
