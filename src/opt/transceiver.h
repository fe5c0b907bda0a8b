// Short-timescale AirComp transceiver design (paper §4.1): for one channel realization, a
// receive beamformer A (M x L) at the server and a precoder B_n (K x L) per device so that
// A^H y estimates sum_n s_n. Types, the zero-forcing machinery of Lemma 1, the exact MSE and
// the method dispatcher. Pure numerics: no knowledge of models or transports.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace airtp {

struct TransceiverProblem {
  std::vector<Eigen::MatrixXcd> H;  // per device, M x K (path loss included)
  double sigma2 = 0;                // receiver noise power per antenna per channel use (W)
  std::vector<double> power;        // p_n: budget on tr(B_n B_n^H) per channel use (W)
  int n_streams = 0;                // L

  int n_devices() const { return static_cast<int>(H.size()); }
  int n_rx() const { return H.empty() ? 0 : static_cast<int>(H[0].rows()); }
  int n_tx() const { return H.empty() ? 0 : static_cast<int>(H[0].cols()); }
  // Throws std::invalid_argument (message names the field / device and the problem): no
  // devices, size mismatches, L < 1, L > K, L > M, sigma2 <= 0, p_n <= 0, non-finite entries.
  // Rank deficiency is checked by the designs (see TransceiverOptions::drop_rank_deficient).
  void validate() const;
};

enum class SdpSolver { Barrier, Dsdp };

struct TransceiverOptions {
  int n_randomizations = 100;  // Gaussian randomization candidates (SDR); + principal one
  uint64_t seed = 1;           // randomization stream
  // A device whose channel has rank < L (incl. all-zero) cannot be zero-forced: throw
  // std::invalid_argument (default) or drop it.
  bool drop_rank_deficient = false;
  // Deep fade: device n is dropped (B_n = 0, it contributes ||-I||_F^2 = L to the MSE) when
  // even alone it would need MSE_n^solo = sigma2 (sum_l 1/sv_l(H_n))^2 / p_n >= L, i.e.
  // including it costs more than losing its signal. <= 0 disables dropping (then a deep
  // fade just makes the MSE large, never NaN/inf).
  double drop_solo_mse = -1;  // < 0: use L; 0: never drop
  // Solver of the SDR: the built-in barrier method (default; ~100x faster than DSDP on this
  // structure) or DSDP (libdsdp), the general-purpose reference. Both solve the same SDP.
  SdpSolver sdp_solver = SdpSolver::Barrier;
  double sdp_gap_tolerance = 1e-7;  // relative duality gap
  // Beyond the paper (design_sdr): the baselines, and every ZF candidate with its best set of
  // dropped devices (refine.h, best_drop_set), join the randomization's selection, and the best
  // ZF candidate is refined on the exact alpha; so the design is never worse than a baseline
  // on the same realization and the drop rule above is one candidate, not a forced choice.
  // true: the paper's method alone (SDR + randomization + ZF, drop rule forced).
  bool paper_only = false;
  int refine_iterations = 200;    // gradient steps of the refinement; 0: no refinement
  double refine_tolerance = 1e-4; // stop when 10 steps gained less (relative)
};

// Sizes the SDR design accepts (design_sdr throws ParameterError outside them). The barrier
// solver's Newton system has N K^2 real unknowns, dense, ~50 steps: N K^2 <= 256 keeps it at
// ~0.3 s; M <= 64 keeps the M x M eigen/Cholesky work per step and the candidates' scoring at
// a similar cost (M = 400 took 13 s). Larger problems need another method, not a longer wait.
struct SdrLimits {
  static constexpr int max_rx = 64;            // M
  static constexpr int max_devices = 64;       // N
  static constexpr int max_tx = 16;            // K (and so L)
  static constexpr int max_newton_unknowns = 256;  // N K^2 (L = K) or N L^2 (L < K)
  static constexpr int max_randomizations = 10000;
};

struct TransceiverDesign {
  Eigen::MatrixXcd A;               // M x L receive beamformer, s_hat = A^H y
  std::vector<Eigen::MatrixXcd> B;  // per device K x L precoder (zero if dropped)
  // Exact MSE per channel use (unit-variance independent symbols):
  // sum_n ||A^H H_n B_n - I_L||_F^2 + sigma2 ||A||_F^2.
  double mse = 0;
  double misalignment = 0;  // first term (0 up to rounding for ZF designs, L per dropped device)
  double noise_term = 0;    // second term
  // sigma2 * tr(Q*) of the paper's semidefinite relaxation (SDR design with L = K; NaN
  // otherwise). It relaxes the trace-inverse *upper bound* tr(X^-1) <= L/lambda_min(X), so the
  // exact-alpha design can land slightly BELOW it; it is not a lower bound on the MSE.
  double sdr_bound = std::numeric_limits<double>::quiet_NaN();
  // Certified lower bound on the MSE of every zero-forcing design (any A, Lemma-1 precoders)
  // for the kept devices, from the SDR's dual matrices through weak duality of the exact
  // trace-inverse problem (docs/wireless-model.md). SDR design with L = K only; NaN otherwise.
  double zf_lower_bound = std::numeric_limits<double>::quiet_NaN();
  // ZF designs: A = sqrt(alpha) G with ||G||_F = 1; c_n = tr((G^H H_n H_n^H G)^{-1})
  // (+inf for dropped devices), alpha = max_n c_n / p_n over kept devices. Lets the
  // long-timescale optimizer evaluate MSE = sigma2 alpha for other power budgets with G
  // held fixed. Empty / NaN for non-ZF designs.
  double alpha = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> zf_trace_inverse;
  // SDR only: tr(Lambda_n*) of the optimal dual matrix of device n's LMI
  // H_n^H Q H_n >= (L/p_n) I, so d(sigma2 tr Q*)/dp_n = -sigma2 tr(Lambda_n*) L / p_n^2.
  std::vector<double> sdr_dual_trace;
  std::string method;
  // design_sdr: the candidate that won ("sdr", "mmse", "mf", "equal_power", "sdr+drop", ...,
  // "+refined" when the refinement improved it), the winner's MSE before refinement, and the
  // refinement's steps.
  std::string chosen;
  double unrefined_mse = std::numeric_limits<double>::quiet_NaN();
  int refine_steps = 0;
  double solve_seconds = 0;
  std::vector<double> tx_power;  // tr(B_n B_n^H) per device (== p_n for ZF-tight devices)
  std::vector<bool> dropped;     // devices excluded (deep fade / rank deficient)
  int n_dropped() const;
};

// Lemma 1: the MSE-optimal precoder for fixed A, B_n = H_n^H A (A^H H_n H_n^H A)^{-1}, which
// makes A^H H_n B_n = I_L. Throws std::invalid_argument if A^H H_n is (numerically) rank
// deficient (reciprocal condition number < 1e-12).
Eigen::MatrixXcd zf_precoder(const Eigen::MatrixXcd& A, const Eigen::MatrixXcd& H);

// c_n(G) = tr((G^H H_n H_n^H G)^{-1}) = tr(B_n B_n^H) of the ZF precoder for A = G; +inf if
// the L x L matrix is singular.
double zf_trace_inverse(const Eigen::MatrixXcd& G, const Eigen::MatrixXcd& H);

// Closed form optimal scale for a receive direction G (paper §4.1 step 2): the smallest
// alpha with tr(B_n B_n^H) = c_n(G)/alpha <= p_n for every kept device, alpha = max_n c_n/p_n
// (only devices with dropped[n] == false; `dropped` may be empty = none dropped).
double zf_alpha(const Eigen::MatrixXcd& G, const TransceiverProblem& problem,
                const std::vector<bool>& dropped = {});

// Exact MSE of ANY design: sum_n ||A^H H_n B_n - I||_F^2 + sigma2 ||A||_F^2.
double aircomp_mse(const Eigen::MatrixXcd& A, const std::vector<Eigen::MatrixXcd>& B,
                   const std::vector<Eigen::MatrixXcd>& H, double sigma2);

// Completes a ZF design from a receive direction G (any nonzero scale): normalizes G,
// alpha = zf_alpha, A = sqrt(alpha) G, B_n ZF (zero for dropped devices) scaled so that
// every device's power is c_n/alpha <= p_n (equality for the binding one), fills every field
// but sdr_bound / sdr_dual_trace / solve_seconds.
TransceiverDesign zf_design_from_direction(const TransceiverProblem& problem,
                                           const Eigen::MatrixXcd& G,
                                           const std::vector<bool>& dropped, std::string method);

// Fills mse, misalignment, noise_term, tx_power of a design whose A and B are set.
void evaluate_design(const TransceiverProblem& problem, TransceiverDesign& design);

// Validates the problem and decides which devices are excluded (see TransceiverOptions);
// throws std::invalid_argument for a rank-deficient device unless drop_rank_deficient.
std::vector<bool> select_devices(const TransceiverProblem& problem, const TransceiverOptions& opt);

enum class TransceiverMethod {
  Sdr,            // SDR + randomization, baselines as candidates, refinement (opt/sdp.h)
  SdrPaper,       // the paper's method alone: Sdr with paper_only
  MatchedFilter,  // baselines (opt/baselines.h)
  MmseZf,
  EqualPower,
};
// "sdr" | "mf" | "mmse" | "equal_power" | "sdr_paper"; throws std::invalid_argument listing the choices.
TransceiverMethod parse_transceiver_method(const std::string& name);
std::string to_string(TransceiverMethod method);
// For plots and tables: "SDR + randomization + ZF (paper)", ...
std::string transceiver_label(TransceiverMethod method);

// Runs the chosen design (validating the problem first) and sets solve_seconds.
TransceiverDesign design_transceiver(const TransceiverProblem& problem, TransceiverMethod method,
                                     const TransceiverOptions& options = {});

}  // namespace airtp
