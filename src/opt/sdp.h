// The paper's semidefinite relaxation (§4.1 steps 3-5) of the receive-beamformer problem,
// solved with DSDP, followed by Gaussian randomization scored with the exact ZF alpha.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "opt/transceiver.h"

namespace airtp {

// min tr(Q) s.t. F_n^H Q F_n >= c_n I_K (n = 1..N), Q >= 0 Hermitian M x M.
// Solved through its dual  max sum_n c_n tr(Lambda_n) s.t. sum_n F_n Lambda_n F_n^H <= I_M,
// Lambda_n >= 0 (K x K), i.e. N K^2 real unknowns; Q* is DSDP's primal matrix. Complex
// Hermitian matrices enter DSDP through the real embedding [[Re, -Im], [Im, Re]].
struct SdrSolution {
  Eigen::MatrixXcd Q;                     // optimal Q (Hermitian PSD)
  double trace = 0;                       // tr(Q*)
  std::vector<Eigen::MatrixXcd> Lambda;   // optimal dual matrices, K x K per constraint
  int iterations = 0;
  bool converged = false;  // DSDP reported a primal-dual feasible solution within tolerance
  std::string status;      // DSDP termination reason, for messages
};
// Throws std::invalid_argument on bad sizes / c_n <= 0, std::runtime_error if DSDP fails.
SdrSolution solve_sdr(const std::vector<Eigen::MatrixXcd>& F, const std::vector<double>& c,
                      double gap_tolerance = 1e-7);

// Full paper design: drop devices per options, SDR with F_n = H_n, c_n = L/p_n (internally
// rescaled for conditioning), candidates A_k = U Lambda^{1/2} R_k (R_k i.i.d. CN(0,1),
// options.n_randomizations of them, seeded) plus the principal-L-eigenvector candidate; each
// scored by the exact alpha(G_k); the best is completed with ZF precoders meeting the power
// budgets. sdr_bound = sigma2 tr(Q*).
TransceiverDesign design_sdr(const TransceiverProblem& problem, const TransceiverOptions& options = {});

}  // namespace airtp
