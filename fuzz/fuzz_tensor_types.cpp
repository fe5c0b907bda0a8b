// Every weight type of the table, two ways. Arbitrary block bytes (scales of any value, NaN and
// Inf included): decoding, the row kernels on both paths and column slicing must never read or
// write out of bounds. Blocks the type's own quantizer made from adversarial floats (outliers,
// zeros, magnitudes over 2^-24..2^15): the AVX2 and portable products agree to float rounding
// (the kernels' contract). Rounding is relative to the terms the AVX2 kernel adds, not to the
// result: for the types with an offset (Q4_1, Q5_1, the k-quants) it adds a block's scaled sum
// and its offset sum, each as large as the block's largest weight times its activations, and a
// small weight is their difference. A quantizer sets the offset from the block's own values, so
// the bound is the block's largest weight; arbitrary bytes can make scale and offset cancel to
// exact zeros (Q2_K with d*sc == dmin*m), which no bound taken from decoded weights can tell
// from a bug, so the agreement is not asserted on them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_input.h"
#include "tensor/kernels.h"
#include "tensor/type_traits.h"

namespace {

// Floats from the fuzz bytes: each byte a signed mantissa, each 32 values share an exponent.
std::vector<float> adversarial_floats(const uint8_t* data, size_t size, size_t n) {
  std::vector<float> f(n);
  auto byte = [&](size_t i) { return size == 0 ? uint8_t{0} : data[i % size]; };
  for (size_t i = 0; i < n; ++i) {
    const int exponent = static_cast<int>(byte(n + i / 32) % 32) - 24;
    f[i] = std::ldexp(static_cast<float>(static_cast<int8_t>(byte(i))), exponent);
  }
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  if (size < 3) return 0;
  std::vector<const TypeTraits*> types;
  for (const auto& tr : all_types())
    if (!tr.activation_only) types.push_back(&tr);
  const TypeTraits& tr = *types[data[0] % types.size()];
  const int rows = 1 + data[1] % 4;
  const bool quantized = (data[1] & 0x80) != 0;
  const int bs = tr.block_size > 32 ? tr.block_size : 32;
  const int cols = bs * (1 + data[2] % 3);
  Matrix W{tr.type, rows, cols, nullptr};
  std::vector<uint8_t> bytes(W.bytes(), 0);
  if (quantized) {
    const std::vector<float> f = adversarial_floats(data + 3, size - 3, static_cast<size_t>(rows) * cols);
    for (int r = 0; r < rows; ++r)
      tr.from_float(f.data() + static_cast<size_t>(r) * cols, bytes.data() + W.row_stride() * static_cast<size_t>(r), cols);
  } else {
    std::memcpy(bytes.data(), data + 3, std::min(bytes.size(), size - 3));
  }
  W.data = bytes.data();

  std::vector<float> w(static_cast<size_t>(cols));
  std::vector<float> x(static_cast<size_t>(cols));
  for (int c = 0; c < cols; ++c) x[static_cast<size_t>(c)] = std::sin(0.37f * static_cast<float>(c));
  bool finite = true;
  // Per row: the sum over blocks of the largest |weight| times the sum of |x|.
  std::vector<double> mag(static_cast<size_t>(rows), 0.0);
  for (int r = 0; r < rows; ++r) {
    dequantize_row(W, r, w.data());
    for (int c0 = 0; c0 < cols; c0 += tr.block_size) {
      double wmax = 0.0, xsum = 0.0;
      for (int c = c0; c < c0 + tr.block_size; ++c) {
        finite = finite && std::isfinite(w[static_cast<size_t>(c)]);
        wmax = std::max(wmax, std::fabs(static_cast<double>(w[static_cast<size_t>(c)])));
        xsum += std::fabs(static_cast<double>(x[static_cast<size_t>(c)]));
      }
      mag[static_cast<size_t>(r)] += wmax * xsum;
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
  if (quantized && finite) {
    for (int r = 0; r < rows; ++r) {
      const double m = mag[static_cast<size_t>(r)];
      if (!(m < 1e30)) continue;
      const double tol = 1e-5 * m + 1e-30;
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
