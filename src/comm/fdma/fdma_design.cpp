#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "comm/fdma/fdma.h"

namespace airtp {

using Eigen::MatrixXcd;

FdmaDesign fdma_design(const MatrixXcd& H, double sigma2, double power, int L, FdmaCombiner combiner) {
  if (L < 1 || L > H.rows() || L > H.cols())
    throw std::invalid_argument(fmt::format("FDMA design: {} streams for a {}x{} channel", L, H.rows(), H.cols()));
  if (!(sigma2 > 0) || !(power > 0))
    throw std::invalid_argument(fmt::format("FDMA design: noise {} and power {} must be > 0", sigma2, power));
  const Eigen::JacobiSVD<MatrixXcd> svd(H, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd s = svd.singularValues().head(L);
  double inv_sum = 0;
  for (int l = 0; l < L; ++l) inv_sum += 1.0 / s(l);
  FdmaDesign d;
  Eigen::VectorXd x(L);  // power of stream l
  for (int l = 0; l < L; ++l) x(l) = power * (1.0 / s(l)) / inv_sum;
  d.B = svd.matrixV().leftCols(L) * x.cwiseSqrt().asDiagonal();
  const MatrixXcd HB = H * d.B;
  if (combiner == FdmaCombiner::Zf) {
    Eigen::VectorXd a(L);
    for (int l = 0; l < L; ++l) a(l) = 1.0 / (s(l) * std::sqrt(x(l)));
    d.A = svd.matrixU().leftCols(L) * a.asDiagonal();
  } else {
    // LMMSE for the given precoder: A = (HB (HB)^H + sigma2 I)^-1 HB.
    MatrixXcd R = HB * HB.adjoint();
    R.diagonal().array() += sigma2;
    d.A = R.ldlt().solve(HB);
  }
  const MatrixXcd E = d.A.adjoint() * HB - MatrixXcd::Identity(L, L);
  d.mse = E.squaredNorm() + sigma2 * d.A.squaredNorm();
  return d;
}

}  // namespace airtp
