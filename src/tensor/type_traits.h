// ONE row per tensor type, as ggml's type_traits: name, GGUF id, block layout, the codecs and
// the row kernels of the weight products. Loaders, the converter, the matrix code, the kernels
// and the tests look a type up here; none of them switches on the type.
//
// Adding a type: its block codec and kernels in tensor/types/NAME.cpp (AVX2 bodies in
// kernels_avx2.cpp or a tensor/types/*_avx2.cpp under the same rules, declared in
// simd_rows.h), a function returning its row declared in tensor/types/types.h, one entry in the
// table of type_traits.cpp, and the enumerator in dtype.h.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "tensor/dtype.h"
#include "tensor/matrix.h"

namespace airtp {

// Output rows [r0, r1) of y = W x, and of Y[t] = W X[t] for T tokens. The activations are in
// the type's vec_dot_type: floats, or (for types whose kernels take integer dot products) each
// token's W.cols values encoded once by that type's from_float, tokens row_bytes() apart.
using MatvecRows = void (*)(const Matrix& W, const void* x, float* y, int64_t r0, int64_t r1);
using MatmulRows = void (*)(const Matrix& W, const void* X, int T, float* Y, int64_t r0, int64_t r1);

struct TypeTraits {
  DType type;
  std::string_view name;  // GGML's: "F32", "Q8_0"
  uint32_t ggml_type;     // the id in GGUF tensor infos
  uint32_t file_type;     // llama.cpp's general.file_type of a file whose matrices are this type
  int block_size;         // values per block
  size_t block_bytes;     // bytes per block
  // Decodes n values (a multiple of block_size).
  void (*to_float)(const void* src, float* dst, int64_t n);
  // Encodes n values (a multiple of block_size) as llama.cpp's reference code does.
  void (*from_float)(const float* src, void* dst, int64_t n);
  // The format the row kernels want the activations in: F32, or an 8-bit type (Q8_0, ...) that
  // kernels.cpp encodes the activations to once per product, as ggml's vec_dot_type. The
  // portable path multiplies by the same encoded-then-decoded activations, so both paths
  // compute the same product up to float rounding.
  DType vec_dot_type = DType::F32;
  // An activation format only (Q8_K): never a weight, so lookups by file id or name skip it.
  bool activation_only = false;
  // AVX2+FMA+F16C row kernels, called only after the run-time CPU check; null where the
  // portable path (to_float, then a float dot product) is all there is.
  MatvecRows matvec_avx2 = nullptr;
  MatmulRows matmul_avx2 = nullptr;
};

// Every row, activation-only formats included.
std::span<const TypeTraits> all_types();
const TypeTraits& type_traits(DType t);
// The weight type of a GGUF tensor type id; null when airtp does not read it.
const TypeTraits* find_ggml_type(uint32_t ggml_type);
// A weight type by name, case-insensitive ("q8_0"); null when unknown.
const TypeTraits* find_type(std::string_view name);

}  // namespace airtp
