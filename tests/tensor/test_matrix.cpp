// dtype layout facts, row/column slicing of every type against the decoded full matrix, and
// dequantize_row against the reference decoder.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "reference.h"
#include "tensor/dtype.h"
#include "tensor/matrix.h"

namespace airtp {
namespace {

using testref::random_matrix;
using testref::row_values;

TEST(DType, NamesSizesBlocks) {
  EXPECT_EQ(dtype_name(DType::F32), "F32");
  EXPECT_EQ(dtype_name(DType::F16), "F16");
  EXPECT_EQ(dtype_name(DType::Q8_0), "Q8_0");
  EXPECT_EQ(row_bytes(DType::F32, 7), 28u);
  EXPECT_EQ(row_bytes(DType::F16, 7), 14u);
  EXPECT_EQ(row_bytes(DType::Q8_0, 64), 68u);
  EXPECT_EQ(row_bytes(DType::Q8_0, 4096), 4352u);
  EXPECT_EQ(row_bytes(DType::Q8_0, 0), 0u);
  EXPECT_THROW(row_bytes(DType::Q8_0, 33), std::invalid_argument);
  EXPECT_EQ(block_size(DType::F32), 1);
  EXPECT_EQ(block_size(DType::F16), 1);
  EXPECT_EQ(block_size(DType::Q8_0), 32);
}

// Column counts below are written for blocks of up to 32 values; super-block types (256) scale
// them so every count and cut still falls on a block boundary.
int col_unit(DType t) { return block_size(t) > 32 ? block_size(t) / 32 : 1; }

class Slicing : public ::testing::TestWithParam<DType> {};

TEST_P(Slicing, RowsMatchTheFullMatrix) {
  const int u = col_unit(GetParam());
  const auto full = random_matrix(GetParam(), 11, 96 * u, 3);
  for (auto [r0, r1] : {std::pair{0, 11}, {3, 8}, {10, 11}, {5, 5}}) {
    const OwnedMatrix s = slice_rows(full.view, r0, r1);
    ASSERT_EQ(s.view.rows, r1 - r0);
    ASSERT_EQ(s.view.cols, 96 * u);
    ASSERT_EQ(s.view.type, GetParam());
    for (int r = r0; r < r1; ++r) EXPECT_EQ(row_values(s.view, r - r0), row_values(full.view, r));
  }
}

TEST_P(Slicing, ColumnsMatchTheFullMatrix) {
  const int u = col_unit(GetParam());
  const auto full = random_matrix(GetParam(), 7, 128 * u, 4);
  const int bs = block_size(GetParam());
  for (auto [c0, c1] : {std::pair{0, 128}, {32, 96}, {96, 128}, {0, 32}, {64, 64}}) {
    c0 *= u;
    c1 *= u;
    if (bs == 1 && c1 - c0 > 1) c0 += 1;  // element granularity: also try an odd cut
    const OwnedMatrix s = slice_cols(full.view, c0, c1);
    ASSERT_EQ(s.view.rows, 7);
    ASSERT_EQ(s.view.cols, c1 - c0);
    for (int r = 0; r < 7 && c1 > c0; ++r) {
      const auto whole = row_values(full.view, r);
      EXPECT_EQ(row_values(s.view, r), std::vector<double>(whole.begin() + c0, whole.begin() + c1))
          << "row " << r << " cols [" << c0 << ", " << c1 << ")";
    }
  }
}

TEST_P(Slicing, MovedOwnedMatrixKeepsPointingAtItsStorage) {
  const auto full = random_matrix(GetParam(), 4, 64 * col_unit(GetParam()), 5);
  OwnedMatrix a = slice_rows(full.view, 1, 3);
  OwnedMatrix b = std::move(a);
  EXPECT_EQ(b.view.data, b.storage.data());
  EXPECT_EQ(row_values(b.view, 1), row_values(full.view, 2));
}

TEST_P(Slicing, DequantizeRowMatchesReferenceDecoder) {
  const int cols = 160 * col_unit(GetParam());
  const auto m = random_matrix(GetParam(), 5, cols, 6);
  std::vector<float> out(cols);
  for (int r = 0; r < 5; ++r) {
    dequantize_row(m.view, r, out.data());
    const auto ref = row_values(m.view, r);
    for (int c = 0; c < cols; ++c) ASSERT_EQ(static_cast<double>(out[c]), ref[c]) << r << "," << c;
  }
  EXPECT_THROW(dequantize_row(m.view, 5, out.data()), std::invalid_argument);
  EXPECT_THROW(dequantize_row(m.view, -1, out.data()), std::invalid_argument);
}

TEST_P(Slicing, RejectsRangesOutsideTheMatrix) {
  const int u = col_unit(GetParam());
  const auto m = random_matrix(GetParam(), 4, 64 * u, 7);
  EXPECT_THROW(slice_rows(m.view, -1, 2), std::invalid_argument);
  EXPECT_THROW(slice_rows(m.view, 3, 5), std::invalid_argument);
  EXPECT_THROW(slice_rows(m.view, 3, 2), std::invalid_argument);
  EXPECT_THROW(slice_cols(m.view, 0, 96 * u), std::invalid_argument);
  EXPECT_THROW(slice_cols(m.view, 64 * u, 32 * u), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, Slicing, ::testing::ValuesIn(testref::table_types()),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(Slicing, Q8ColumnsMustFallOnBlockBoundaries) {
  const auto m = random_matrix(DType::Q8_0, 3, 128, 8);
  try {
    slice_cols(m.view, 16, 64);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("slice_cols"), std::string::npos) << msg;
    EXPECT_NE(msg.find("block"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[16, 64)"), std::string::npos) << msg;
  }
  EXPECT_THROW(slice_cols(m.view, 0, 40), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
