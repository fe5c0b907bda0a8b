#include "opt/transceiver.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "opt/baselines.h"
#include "opt/sdp.h"

namespace airtp {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("transceiver problem: " + what);
}

// R factor of the QR decomposition of C^H = (A^H H)^H = H^H A (K x L). A^H H B = I with
// B = Q R^{-H}, and tr(B B^H) = ||R^{-1}||_F^2: a numerically stable route to both.
struct ZfFactor {
  Eigen::MatrixXcd Q;  // K x L, orthonormal columns
  Eigen::MatrixXcd R;  // L x L, upper triangular
  double rcond = 0;    // min |R_ii| / max |R_ii|, a cheap singularity indicator
};

ZfFactor zf_factor(const Eigen::MatrixXcd& A, const Eigen::MatrixXcd& H) {
  const Eigen::MatrixXcd C = H.adjoint() * A;  // K x L
  Eigen::HouseholderQR<Eigen::MatrixXcd> qr(C);
  const auto K = C.rows(), L = C.cols();
  ZfFactor f;
  f.Q = qr.householderQ() * Eigen::MatrixXcd::Identity(K, L);
  f.R = qr.matrixQR().topRows(L).triangularView<Eigen::Upper>();
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (Eigen::Index i = 0; i < L; ++i) {
    lo = std::min(lo, std::abs(f.R(i, i)));
    hi = std::max(hi, std::abs(f.R(i, i)));
  }
  f.rcond = hi > 0 ? lo / hi : 0.0;
  return f;
}

constexpr double kSingular = 1e-12;

}  // namespace

int TransceiverDesign::n_dropped() const {
  int k = 0;
  for (bool d : dropped) k += d;
  return k;
}

void TransceiverProblem::validate() const {
  if (H.empty()) bad("no devices (H is empty)");
  const auto M = H[0].rows(), K = H[0].cols();
  if (M < 1 || K < 1) bad(fmt::format("H[0] is {}x{}: need at least one antenna on each side", M, K));
  for (size_t n = 0; n < H.size(); ++n) {
    if (H[n].rows() != M || H[n].cols() != K)
      bad(fmt::format("H[{}] is {}x{}, H[0] is {}x{}: all devices need the same antenna counts", n,
                      H[n].rows(), H[n].cols(), M, K));
    if (!H[n].allFinite()) bad(fmt::format("H[{}] has NaN/inf entries", n));
  }
  if (n_streams < 1) bad(fmt::format("n_streams (L) = {} must be >= 1", n_streams));
  if (n_streams > K)
    bad(fmt::format("n_streams (L) = {} exceeds the device antennas K = {} (need L <= K)", n_streams, K));
  if (n_streams > M)
    bad(fmt::format("n_streams (L) = {} exceeds the receive antennas M = {} (need L <= M)", n_streams, M));
  if (!(sigma2 > 0) || !std::isfinite(sigma2))
    bad(fmt::format("sigma2 = {} must be a finite noise power > 0", sigma2));
  if (power.size() != H.size())
    bad(fmt::format("{} power budgets for {} devices", power.size(), H.size()));
  for (size_t n = 0; n < power.size(); ++n)
    if (!(power[n] > 0) || !std::isfinite(power[n]))
      bad(fmt::format("power[{}] = {} must be a finite transmit power > 0 W", n, power[n]));
}

std::vector<bool> select_devices(const TransceiverProblem& problem, const TransceiverOptions& opt) {
  problem.validate();
  const int N = problem.n_devices(), L = problem.n_streams;
  const double threshold = opt.drop_solo_mse < 0 ? static_cast<double>(L) : opt.drop_solo_mse;
  std::vector<bool> dropped(N, false);
  for (int n = 0; n < N; ++n) {
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXcd>(problem.H[n]).singularValues();
    const double s_max = sv(0), s_L = sv(L - 1);
    if (!(s_max > 0) || s_L <= kSingular * s_max) {
      if (!opt.drop_rank_deficient)
        bad(fmt::format("device {}: channel is {} (singular values {:.3g} ... {:.3g}): it cannot carry "
                        "L = {} zero-forced streams (set drop_rank_deficient to drop it instead)",
                        n, s_max > 0 ? "rank deficient" : "all zero", s_max, s_L, L));
      dropped[n] = true;
      continue;
    }
    if (threshold > 0) {
      // Best MSE with this device alone (single-device optimum, docs/wireless-model.md).
      double inv = 0;
      for (int l = 0; l < L; ++l) inv += 1.0 / sv(l);
      const double solo = problem.sigma2 * inv * inv / problem.power[n];
      if (!(solo < threshold)) dropped[n] = true;
    }
  }
  return dropped;
}

Eigen::MatrixXcd zf_precoder(const Eigen::MatrixXcd& A, const Eigen::MatrixXcd& H) {
  if (A.rows() != H.rows())
    throw std::invalid_argument(fmt::format("zf_precoder: A has {} rows, H has {}", A.rows(), H.rows()));
  if (A.cols() > H.cols())
    throw std::invalid_argument(fmt::format("zf_precoder: L = {} streams exceed K = {} antennas", A.cols(), H.cols()));
  const ZfFactor f = zf_factor(A, H);
  if (!(f.rcond > kSingular))
    throw std::invalid_argument(fmt::format(
        "zf_precoder: A^H H is rank deficient (rcond {:.3g}): no zero-forcing precoder exists", f.rcond));
  // B = Q R^{-H}:  B^H = R^{-1} Q^H.
  const Eigen::MatrixXcd Bh = f.R.triangularView<Eigen::Upper>().solve(f.Q.adjoint());
  return Bh.adjoint();
}

double zf_trace_inverse(const Eigen::MatrixXcd& G, const Eigen::MatrixXcd& H) {
  if (G.rows() != H.rows() || G.cols() > H.cols())
    throw std::invalid_argument(fmt::format("zf_trace_inverse: G is {}x{}, H is {}x{}", G.rows(), G.cols(),
                                            H.rows(), H.cols()));
  const ZfFactor f = zf_factor(G, H);
  if (!(f.rcond > kSingular)) return std::numeric_limits<double>::infinity();
  const auto L = G.cols();
  const Eigen::MatrixXcd Rinv =
      f.R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXcd::Identity(L, L));
  return Rinv.squaredNorm();
}

double zf_alpha(const Eigen::MatrixXcd& G, const TransceiverProblem& problem,
                const std::vector<bool>& dropped) {
  const double g2 = G.squaredNorm();
  double alpha = 0;
  for (int n = 0; n < problem.n_devices(); ++n) {
    if (!dropped.empty() && dropped[n]) continue;
    alpha = std::max(alpha, g2 * zf_trace_inverse(G, problem.H[n]) / problem.power[n]);
  }
  return alpha;
}

double aircomp_mse(const Eigen::MatrixXcd& A, const std::vector<Eigen::MatrixXcd>& B,
                   const std::vector<Eigen::MatrixXcd>& H, double sigma2) {
  if (B.size() != H.size())
    throw std::invalid_argument(fmt::format("aircomp_mse: {} precoders for {} channels", B.size(), H.size()));
  const auto L = A.cols();
  const Eigen::MatrixXcd I = Eigen::MatrixXcd::Identity(L, L);
  double mis = 0;
  for (size_t n = 0; n < H.size(); ++n) {
    if (H[n].rows() != A.rows() || B[n].rows() != H[n].cols() || B[n].cols() != L)
      throw std::invalid_argument(fmt::format("aircomp_mse: device {} has H {}x{}, B {}x{}, A {}x{}", n,
                                              H[n].rows(), H[n].cols(), B[n].rows(), B[n].cols(),
                                              A.rows(), A.cols()));
    mis += (A.adjoint() * H[n] * B[n] - I).squaredNorm();
  }
  return mis + sigma2 * A.squaredNorm();
}

void evaluate_design(const TransceiverProblem& problem, TransceiverDesign& d) {
  const auto L = d.A.cols();
  const Eigen::MatrixXcd I = Eigen::MatrixXcd::Identity(L, L);
  d.misalignment = 0;
  d.tx_power.assign(problem.n_devices(), 0.0);
  for (int n = 0; n < problem.n_devices(); ++n) {
    d.misalignment += (d.A.adjoint() * problem.H[n] * d.B[n] - I).squaredNorm();
    d.tx_power[n] = d.B[n].squaredNorm();
  }
  d.noise_term = problem.sigma2 * d.A.squaredNorm();
  d.mse = d.misalignment + d.noise_term;
  if (d.dropped.empty()) d.dropped.assign(problem.n_devices(), false);
}

TransceiverDesign zf_design_from_direction(const TransceiverProblem& problem, const Eigen::MatrixXcd& G0,
                                           const std::vector<bool>& dropped, std::string method) {
  const int N = problem.n_devices(), M = problem.n_rx(), K = problem.n_tx(), L = problem.n_streams;
  if (G0.rows() != M || G0.cols() != L)
    throw std::invalid_argument(fmt::format("zf_design_from_direction: G is {}x{}, expected {}x{}", G0.rows(),
                                            G0.cols(), M, L));
  TransceiverDesign d;
  d.method = std::move(method);
  d.dropped = dropped.empty() ? std::vector<bool>(N, false) : dropped;
  d.B.assign(N, Eigen::MatrixXcd::Zero(K, L));
  d.zf_trace_inverse.assign(N, std::numeric_limits<double>::infinity());
  bool any_kept = false;
  for (bool x : d.dropped) any_kept |= !x;
  if (!any_kept) {  // nobody can be served: estimate 0, lose every signal (MSE = N L)
    d.A = Eigen::MatrixXcd::Zero(M, L);
    d.alpha = 0;
    evaluate_design(problem, d);
    return d;
  }
  const double norm = G0.norm();
  if (!(norm > 0) || !std::isfinite(norm))
    throw std::invalid_argument("zf_design_from_direction: receive direction G is zero or non-finite");
  const Eigen::MatrixXcd G = G0 / norm;
  d.alpha = 0;
  for (int n = 0; n < N; ++n) {
    if (d.dropped[n]) continue;
    d.zf_trace_inverse[n] = zf_trace_inverse(G, problem.H[n]);
    if (!std::isfinite(d.zf_trace_inverse[n]))
      throw std::invalid_argument(fmt::format(
          "zf_design_from_direction ({}): G^H H_{} is singular, device {} cannot be zero-forced", d.method, n, n));
    d.alpha = std::max(d.alpha, d.zf_trace_inverse[n] / problem.power[n]);
  }
  d.A = std::sqrt(d.alpha) * G;
  for (int n = 0; n < N; ++n)
    if (!d.dropped[n]) d.B[n] = zf_precoder(d.A, problem.H[n]);
  evaluate_design(problem, d);
  return d;
}

TransceiverMethod parse_transceiver_method(const std::string& name) {
  if (name == "sdr") return TransceiverMethod::Sdr;
  if (name == "mf") return TransceiverMethod::MatchedFilter;
  if (name == "mmse") return TransceiverMethod::MmseZf;
  if (name == "equal_power") return TransceiverMethod::EqualPower;
  if (name == "sdr_paper") return TransceiverMethod::SdrPaper;
  throw std::invalid_argument(
      fmt::format("transceiver method '{}' unknown (allowed: sdr, mf, mmse, equal_power, sdr_paper)", name));
}

std::string transceiver_label(TransceiverMethod method) {
  switch (method) {
    case TransceiverMethod::Sdr: return "SDR + randomization + refinement, best of baselines";
    case TransceiverMethod::SdrPaper: return "SDR + randomization + ZF (paper)";
    case TransceiverMethod::MatchedFilter: return "matched filter + ZF";
    case TransceiverMethod::MmseZf: return "MMSE receiver + ZF";
    case TransceiverMethod::EqualPower: return "equal power, LMMSE receiver";
  }
  return "?";
}

std::string to_string(TransceiverMethod method) {
  switch (method) {
    case TransceiverMethod::Sdr: return "sdr";
    case TransceiverMethod::SdrPaper: return "sdr_paper";
    case TransceiverMethod::MatchedFilter: return "mf";
    case TransceiverMethod::MmseZf: return "mmse";
    case TransceiverMethod::EqualPower: return "equal_power";
  }
  return "?";
}

TransceiverDesign design_transceiver(const TransceiverProblem& problem, TransceiverMethod method,
                                     const TransceiverOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  TransceiverDesign d;
  switch (method) {
    case TransceiverMethod::Sdr: d = design_sdr(problem, options); break;
    case TransceiverMethod::SdrPaper: {
      TransceiverOptions o = options;
      o.paper_only = true;
      d = design_sdr(problem, o);
      break;
    }
    case TransceiverMethod::MatchedFilter: d = design_matched_filter(problem, options); break;
    case TransceiverMethod::MmseZf: d = design_mmse_zf(problem, options); break;
    case TransceiverMethod::EqualPower: d = design_equal_power(problem, options); break;
  }
  d.solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return d;
}

}  // namespace airtp
