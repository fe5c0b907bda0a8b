// Every weight type of the table on arbitrary block bytes (scales of any value, NaN and Inf
// included): decoding, the row kernels on both paths, and column slicing must never read or
// write out of bounds. Oracle: where every decoded weight is finite and the products cannot
// overflow, the AVX2 and portable products agree to float rounding (the kernels' contract).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_input.h"
#include "tensor/kernels.h"
#include "tensor/type_traits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  if (size < 3) return 0;
  std::vector<const TypeTraits*> types;
  for (const auto& tr : all_types())
    if (!tr.activation_only) types.push_back(&tr);
  const TypeTraits& tr = *types[data[0] % types.size()];
  const int rows = 1 + data[1] % 4;
  const int bs = tr.block_size > 32 ? tr.block_size : 32;
  const int cols = bs * (1 + data[2] % 3);
  Matrix W{tr.type, rows, cols, nullptr};
  std::vector<uint8_t> bytes(W.bytes(), 0);
  std::memcpy(bytes.data(), data + 3, std::min(bytes.size(), size - 3));
  W.data = bytes.data();

  std::vector<float> w(static_cast<size_t>(cols));
  std::vector<float> x(static_cast<size_t>(cols));
  for (int c = 0; c < cols; ++c) x[static_cast<size_t>(c)] = std::sin(0.37f * static_cast<float>(c));
  bool finite = true;
  std::vector<double> mag(static_cast<size_t>(rows), 0.0);
  for (int r = 0; r < rows; ++r) {
    dequantize_row(W, r, w.data());
    for (int c = 0; c < cols; ++c) {
      finite = finite && std::isfinite(w[static_cast<size_t>(c)]);
      mag[static_cast<size_t>(r)] += std::fabs(static_cast<double>(w[static_cast<size_t>(c)]) * x[static_cast<size_t>(c)]);
    }
  }
  ThreadPool pool(1);
  std::vector<float> a(static_cast<size_t>(rows)), b(static_cast<size_t>(rows)), Y(static_cast<size_t>(rows) * 3);
  std::vector<float> X3(static_cast<size_t>(cols) * 3);
  for (size_t i = 0; i < X3.size(); ++i) X3[i] = x[i % static_cast<size_t>(cols)];
  force_portable_kernels(true);
  matvec(W, x.data(), a.data(), pool);
  force_portable_kernels(false);
  matvec(W, x.data(), b.data(), pool);
  matmul(W, X3.data(), 3, Y.data(), pool);
  if (finite) {
    for (int r = 0; r < rows; ++r) {
      const double m = mag[static_cast<size_t>(r)];
      if (!(m < 1e30)) continue;
      const double tol = 1e-4 * m + 1e-30;
      if (std::fabs(static_cast<double>(a[static_cast<size_t>(r)]) - b[static_cast<size_t>(r)]) > tol)
        fuzz::invariant_failed("AVX2 and portable matvec disagree beyond float rounding");
      if (std::fabs(static_cast<double>(Y[static_cast<size_t>(r)]) - b[static_cast<size_t>(r)]) > tol)
        fuzz::invariant_failed("matmul's first token differs from matvec");
    }
  }
  // Cutting the matrix at its block boundaries keeps each piece's decoded values.
  const OwnedMatrix right = slice_cols(W, tr.block_size, cols);
  if (right.view.cols != cols - tr.block_size) fuzz::invariant_failed("slice_cols gave the wrong width");
  return 0;
}
