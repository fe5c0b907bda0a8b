#include "tensor/matrix.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "tensor/type_traits.h"

namespace airtp {
namespace {

std::string describe(const Matrix& m) {
  return std::string(dtype_name(m.type)) + " matrix " + std::to_string(m.rows) + "x" +
         std::to_string(m.cols);
}

void check_matrix(const Matrix& m, const char* where) {
  if (m.rows < 0 || m.cols < 0) {
    throw std::invalid_argument(std::string(where) + ": negative shape in " + describe(m));
  }
  if (m.data == nullptr && m.rows > 0 && m.cols > 0) {
    throw std::invalid_argument(std::string(where) + ": " + describe(m) + " has no data");
  }
  const int bs = block_size(m.type);
  if (m.cols % bs != 0) {
    throw std::invalid_argument(std::string(where) + ": " + describe(m) +
                                " has a column count that is not a multiple of its " + std::to_string(bs) +
                                "-value blocks");
  }
}

}  // namespace

OwnedMatrix slice_rows(const Matrix& m, int r0, int r1) {
  check_matrix(m, "slice_rows");
  if (r0 < 0 || r1 < r0 || r1 > m.rows) {
    throw std::invalid_argument("slice_rows: rows [" + std::to_string(r0) + ", " +
                                std::to_string(r1) + ") are not a range inside " + describe(m));
  }
  OwnedMatrix out;
  const size_t stride = m.row_stride();
  out.storage.resize(stride * static_cast<size_t>(r1 - r0));
  if (!out.storage.empty()) std::memcpy(out.storage.data(), m.row(r0), out.storage.size());
  out.view = Matrix{m.type, r1 - r0, m.cols, out.storage.data()};
  return out;
}

OwnedMatrix slice_cols(const Matrix& m, int c0, int c1) {
  check_matrix(m, "slice_cols");
  if (c0 < 0 || c1 < c0 || c1 > m.cols) {
    throw std::invalid_argument("slice_cols: columns [" + std::to_string(c0) + ", " +
                                std::to_string(c1) + ") are not a range inside " + describe(m));
  }
  const int bs = block_size(m.type);
  if (c0 % bs != 0 || c1 % bs != 0) {
    throw std::invalid_argument("slice_cols: columns [" + std::to_string(c0) + ", " +
                                std::to_string(c1) + ") of " + describe(m) +
                                " do not fall on the " + std::to_string(bs) +
                                "-value block boundaries of its storage");
  }
  OwnedMatrix out;
  const size_t src_stride = m.row_stride();
  const size_t offset = row_bytes(m.type, static_cast<size_t>(c0));
  const size_t dst_stride = row_bytes(m.type, static_cast<size_t>(c1 - c0));
  out.storage.resize(dst_stride * static_cast<size_t>(m.rows));
  for (int r = 0; r < m.rows && dst_stride > 0; ++r) {
    std::memcpy(out.storage.data() + dst_stride * static_cast<size_t>(r),
                static_cast<const uint8_t*>(m.data) + src_stride * static_cast<size_t>(r) + offset,
                dst_stride);
  }
  out.view = Matrix{m.type, m.rows, c1 - c0, out.storage.data()};
  return out;
}

void dequantize_row(const Matrix& m, int r, float* out) {
  check_matrix(m, "dequantize_row");
  if (r < 0 || r >= m.rows) {
    throw std::invalid_argument("dequantize_row: row " + std::to_string(r) + " is outside " +
                                describe(m));
  }
  type_traits(m.type).to_float(m.row(r), out, m.cols);
}

}  // namespace airtp
