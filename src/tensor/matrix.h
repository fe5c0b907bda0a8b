// A non-owning view of a row-major weight matrix: `rows` rows of `cols` values each, stored in
// `type`. This is GGML's layout for a 2-D tensor with ne0 = cols, ne1 = rows, so y = W x has
// y.size() == rows and x.size() == cols.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensor/dtype.h"

namespace airtp {

struct Matrix {
  DType type = DType::F32;
  int rows = 0;
  int cols = 0;
  const void* data = nullptr;

  size_t row_stride() const { return row_bytes(type, static_cast<size_t>(cols)); }
  size_t bytes() const { return row_stride() * static_cast<size_t>(rows); }
  const uint8_t* row(int r) const {
    return static_cast<const uint8_t*>(data) + row_stride() * static_cast<size_t>(r);
  }
};

// An owning matrix: the storage of a shard (rows or columns cut out of a full matrix).
struct OwnedMatrix {
  std::vector<uint8_t> storage;
  Matrix view;  // view.data points into storage

  OwnedMatrix() = default;
  OwnedMatrix(const OwnedMatrix&) = delete;
  OwnedMatrix& operator=(const OwnedMatrix&) = delete;
  OwnedMatrix(OwnedMatrix&& o) noexcept { *this = std::move(o); }
  OwnedMatrix& operator=(OwnedMatrix&& o) noexcept {
    storage = std::move(o.storage);
    view = o.view;
    view.data = storage.data();
    return *this;
  }
};

// Copies rows [r0, r1) of `m` (all columns). Works for every type.
OwnedMatrix slice_rows(const Matrix& m, int r0, int r1);
// Copies columns [c0, c1) of every row; c0 and c1 must be multiples of block_size(m.type).
OwnedMatrix slice_cols(const Matrix& m, int c0, int c1);
// Decodes row r into `out` (cols floats).
void dequantize_row(const Matrix& m, int r, float* out);

}  // namespace airtp
