#include "opt/baselines.h"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace airtp {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Principal L eigenvectors of sum_n H_n H_n^H over the kept devices (M x L).
Eigen::MatrixXcd matched_filter_direction(const TransceiverProblem& p, const std::vector<bool>& dropped) {
  const int M = p.n_rx(), L = p.n_streams;
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(M, M);
  for (int n = 0; n < p.n_devices(); ++n)
    if (dropped.empty() || !dropped[n]) S.noalias() += p.H[n] * p.H[n].adjoint();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(S);
  return eig.eigenvectors().rightCols(L);  // eigenvalues ascend
}

}  // namespace

TransceiverDesign design_matched_filter(const TransceiverProblem& problem, const TransceiverOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<bool> dropped = select_devices(problem, options);
  TransceiverDesign d =
      zf_design_from_direction(problem, matched_filter_direction(problem, dropped), dropped, "mf");
  d.solve_seconds = seconds_since(t0);
  return d;
}

TransceiverDesign design_mmse_zf(const TransceiverProblem& problem, const TransceiverOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<bool> dropped = select_devices(problem, options);
  const int M = problem.n_rx(), K = problem.n_tx(), L = problem.n_streams;
  Eigen::MatrixXcd S = problem.sigma2 * Eigen::MatrixXcd::Identity(M, M);
  Eigen::MatrixXcd T = Eigen::MatrixXcd::Zero(M, L);
  for (int n = 0; n < problem.n_devices(); ++n) {
    if (dropped[n]) continue;
    S.noalias() += (problem.power[n] / K) * problem.H[n] * problem.H[n].adjoint();
    T += std::sqrt(problem.power[n] / L) * problem.H[n].leftCols(L);
  }
  const Eigen::MatrixXcd G = S.llt().solve(T);
  TransceiverDesign d = zf_design_from_direction(problem, G, dropped, "mmse");
  d.solve_seconds = seconds_since(t0);
  return d;
}

TransceiverDesign design_equal_power(const TransceiverProblem& problem, const TransceiverOptions&) {
  const auto t0 = std::chrono::steady_clock::now();
  problem.validate();
  const int N = problem.n_devices(), M = problem.n_rx(), L = problem.n_streams;
  const Eigen::MatrixXcd G = matched_filter_direction(problem, {});
  TransceiverDesign d;
  d.method = "equal_power";
  d.dropped.assign(N, false);
  d.B.resize(N);
  Eigen::MatrixXcd S = problem.sigma2 * Eigen::MatrixXcd::Identity(M, M);
  Eigen::MatrixXcd T = Eigen::MatrixXcd::Zero(M, L);
  for (int n = 0; n < N; ++n) {
    // Polar factor: the semi-unitary W closest to H_n^H G, so G^H H_n W_n is Hermitian PSD
    // (the streams arrive co-phased with the receiver's directions).
    Eigen::JacobiSVD<Eigen::MatrixXcd> svd(problem.H[n].adjoint() * G, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::MatrixXcd W = svd.matrixU() * svd.matrixV().adjoint();
    d.B[n] = std::sqrt(problem.power[n] / L) * W;
    const Eigen::MatrixXcd HB = problem.H[n] * d.B[n];
    S.noalias() += HB * HB.adjoint();
    T += HB;
  }
  d.A = S.llt().solve(T);
  evaluate_design(problem, d);
  d.solve_seconds = seconds_since(t0);
  return d;
}

}  // namespace airtp
