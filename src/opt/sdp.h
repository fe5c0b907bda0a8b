// The paper's semidefinite relaxation (§4.1 steps 3-5) of the receive-beamformer problem,
// solved with DSDP, followed by Gaussian randomization scored with the exact ZF alpha.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "opt/transceiver.h"

namespace airtp {

// min tr(Q) s.t. F_n^H Q F_n >= c_n I_K (n = 1..N), Q >= 0 Hermitian M x M, through its dual
//     max sum_n c_n tr(Lambda_n)  s.t.  sum_n F_n Lambda_n F_n^H <= I_M,  Lambda_n >= 0 (K x K),
// i.e. N K^2 real unknowns instead of M^2. Two solvers:
//  - Barrier: log-barrier method on the dual with Newton steps on the N K^2 unknowns; the primal
//    Q = mu S^{-1} comes from the central path (S = I - sum F Lambda F^H). Its relative gap
//    floors at ~1e-7 (cancellation in S); tighter tolerances are treated as 1e-7.
//  - Dsdp: DSDP 5 on the real embedding [[Re, -Im], [Im, Re]] of the same dual, with rank-one
//    data matrices; Q is DSDP's primal matrix.
struct SdrSolution {
  Eigen::MatrixXcd Q;                     // optimal Q (Hermitian PSD)
  double trace = 0;                       // tr(Q*)
  std::vector<Eigen::MatrixXcd> Lambda;   // optimal dual matrices, K x K per constraint
  double dual_value = 0;                  // sum_n c_n tr(Lambda_n) <= tr(Q*) <= trace
  int iterations = 0;                     // Newton steps (barrier) / DSDP iterations
  bool converged = false;  // relative gap within tolerance
  std::string status;      // solver termination reason, for messages
};
// Both solvers return a primal-feasible Q (rescaled so that min_n lambda_min(F_n^H Q F_n) / c_n
// = 1 exactly) and dual-feasible Lambda_n, so primal - dual is a certified gap.
// Throws std::invalid_argument on bad sizes / c_n <= 0 / an all-zero F_n (or, for the barrier
// solver, K > M: the LMI would be infeasible), std::runtime_error if the solver fails.
SdrSolution solve_sdr(const std::vector<Eigen::MatrixXcd>& F, const std::vector<double>& c,
                      double gap_tolerance = 1e-7, SdpSolver solver = SdpSolver::Barrier);

// Full paper design: drop devices per options, SDR with F_n = H_n, c_n = L/p_n (internally
// rescaled for conditioning), candidates A_k = U Lambda^{1/2} R_k (R_k i.i.d. CN(0,1),
// options.n_randomizations of them, seeded) plus the principal-L-eigenvector candidate; each
// scored by the exact alpha(G_k); the best is completed with ZF precoders meeting the power
// budgets. sdr_bound = sigma2 tr(Q*).
TransceiverDesign design_sdr(const TransceiverProblem& problem, const TransceiverOptions& options = {});

}  // namespace airtp
