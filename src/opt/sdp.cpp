#include "opt/sdp.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <stdexcept>

#include "opt/baselines.h"
#include "opt/refine.h"
#include "util/parameter_error.h"
#include "wireless/rng.h"

#include <dsdp5.h>

namespace airtp {
namespace {

// Real embedding of a complex matrix: [[Re, -Im], [Im, Re]]. It maps Hermitian PSD matrices
// to symmetric PSD ones and products to products, so the SDP can be handed to a real solver.
Eigen::MatrixXd embed(const Eigen::MatrixXcd& X) {
  const auto r = X.rows(), c = X.cols();
  Eigen::MatrixXd E(2 * r, 2 * c);
  E << X.real(), -X.imag(), X.imag(), X.real();
  return E;
}

// Inverse of the embedding for a real symmetric 2r x 2r matrix that need not have the exact
// embedded structure: its projection onto embedded matrices, halved back to r x r.
Eigen::MatrixXcd unembed(const Eigen::MatrixXd& E) {
  const auto r = E.rows() / 2;
  Eigen::MatrixXcd X(r, r);
  X.real() = (E.topLeftCorner(r, r) + E.bottomRightCorner(r, r)) / 2;
  X.imag() = (E.bottomLeftCorner(r, r) - E.topRightCorner(r, r)) / 2;
  return X;
}

const char* dsdp_reason(DSDPTerminationReason r) {
  switch (r) {
    case DSDP_CONVERGED: return "converged";
    case DSDP_INFEASIBLE_START: return "infeasible start";
    case DSDP_SMALL_STEPS: return "small steps";
    case DSDP_INDEFINITE_SCHUR_MATRIX: return "indefinite Schur matrix";
    case DSDP_MAX_IT: return "maximum iterations";
    case DSDP_NUMERICAL_ERROR: return "numerical error";
    case DSDP_UPPERBOUND: return "objective bound reached";
    case DSDP_USER_TERMINATION: return "user termination";
    case CONTINUE_ITERATING: return "not terminated";
  }
  return "unknown";
}

struct DsdpHandle {
  DSDP dsdp = nullptr;
  ~DsdpHandle() {
    if (dsdp) DSDPDestroy(dsdp);
  }
};

void check(int info, const char* call) {
  if (info != 0) throw std::runtime_error(fmt::format("DSDP: {} failed (error code {})", call, info));
}


// Validated, rescaled data: G_n = F_n / sqrt(c_n) / s with constraints G_n^H Q' G_n >= I and
// Q' = s^2 Q; s makes the weakest device's smallest singular value 1, so Q' and the duals are
// O(1) whatever the path loss.
struct ScaledSdr {
  std::vector<Eigen::MatrixXcd> G;
  double s = 1;
  int N = 0, M = 0, K = 0;
};

ScaledSdr scale_sdr(const std::vector<Eigen::MatrixXcd>& F, const std::vector<double>& c) {
  if (F.empty()) throw std::invalid_argument("solve_sdr: no constraints");
  if (c.size() != F.size())
    throw std::invalid_argument(fmt::format("solve_sdr: {} right-hand sides for {} constraints", c.size(), F.size()));
  ScaledSdr sc;
  sc.N = static_cast<int>(F.size());
  sc.M = static_cast<int>(F[0].rows());
  sc.K = static_cast<int>(F[0].cols());
  if (sc.M < 1 || sc.K < 1) throw std::invalid_argument("solve_sdr: empty channel matrix");
  if (sc.K > sc.M)
    throw std::invalid_argument(fmt::format(
        "solve_sdr: F_n is {}x{}: F_n^H Q F_n >= c I_{} is infeasible with only {} receive antennas", sc.M, sc.K,
        sc.K, sc.M));
  sc.s = std::numeric_limits<double>::infinity();
  sc.G.resize(sc.N);
  for (int n = 0; n < sc.N; ++n) {
    if (F[n].rows() != sc.M || F[n].cols() != sc.K)
      throw std::invalid_argument(fmt::format("solve_sdr: F[{}] is {}x{}, F[0] is {}x{}", n, F[n].rows(),
                                              F[n].cols(), sc.M, sc.K));
    if (!F[n].allFinite()) throw std::invalid_argument(fmt::format("solve_sdr: F[{}] has NaN/inf", n));
    if (!(c[n] > 0) || !std::isfinite(c[n]))
      throw std::invalid_argument(fmt::format("solve_sdr: c[{}] = {} must be > 0", n, c[n]));
    sc.G[n] = F[n] / std::sqrt(c[n]);
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXcd>(sc.G[n]).singularValues();
    if (!(sv(sv.size() - 1) > 1e-12 * sv(0)))
      throw std::invalid_argument(fmt::format(
          "solve_sdr: F[{}] has rank < {} (singular values {:.3g} ... {:.3g}): the LMI is infeasible", n, sc.K,
          sv(0), sv(sv.size() - 1)));
    sc.s = std::min(sc.s, sv(sv.size() - 1));
  }
  for (auto& g : sc.G) g /= sc.s;
  return sc;
}

// Makes Q' exactly feasible and tight (min_n lambda_min(G_n^H Q' G_n) = 1), maps Q' and the
// scaled duals back to the caller's F, c, and fills the values.
void finish_sdr(const ScaledSdr& sc, const std::vector<double>& c, Eigen::MatrixXcd Qp,
                const std::vector<Eigen::MatrixXcd>& Lp, SdrSolution& sol) {
  Qp = (Qp + Qp.adjoint()).eval() / 2.0;
  double worst = std::numeric_limits<double>::infinity();
  for (const auto& g : sc.G) {
    const Eigen::MatrixXcd X = g.adjoint() * Qp * g;
    worst = std::min(worst, Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(X, Eigen::EigenvaluesOnly).eigenvalues()(0));
  }
  if (!(worst > 0)) throw std::runtime_error("solve_sdr: solver returned an infeasible Q (" + sol.status + ")");
  Qp /= worst;
  sol.Q = Qp / (sc.s * sc.s);
  sol.trace = sol.Q.trace().real();
  // Dual: sum_n G_n L'_n G_n^H <= I  <=>  sum_n F_n (L'_n / (s^2 c_n)) F_n^H <= I, and the
  // multiplier of F_n^H Q F_n >= c_n I is Lambda_n = L'_n / (s^2 c_n) (objective unchanged).
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(sc.M, sc.M);
  for (int n = 0; n < sc.N; ++n) S.noalias() += sc.G[n] * Lp[n] * sc.G[n].adjoint();
  const double lmax =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(S, Eigen::EigenvaluesOnly).eigenvalues()(sc.M - 1);
  const double shrink = lmax > 1 ? 1 / lmax : 1.0;  // exact dual feasibility after rounding
  sol.Lambda.resize(sc.N);
  sol.dual_value = 0;
  for (int n = 0; n < sc.N; ++n) {
    sol.Lambda[n] = shrink * (Lp[n] + Lp[n].adjoint()) / (2.0 * sc.s * sc.s * c[n]);
    sol.dual_value += c[n] * sol.Lambda[n].trace().real();
  }
}

SdrSolution solve_sdr_dsdp(const ScaledSdr& sc, const std::vector<double>& c, double gap_tolerance) {
  const int N = sc.N, M = sc.M, K = sc.K;
  // DSDP solves  max b^T y  s.t.  C - sum_i y_i A_i >= 0. Unknowns: the real symmetric
  // 2K x 2K matrices Lt_n (relaxing Lambda_n's embedded structure changes nothing: averaging
  // with J Lt J^T keeps feasibility and objective), parameterised by rank-one terms
  // Lt_n = sum_a y e_a e_a^T + sum_{a<b} y (e_a + e_b)(e_a + e_b)^T, so that every data matrix
  // is rank one:  block 0:  I_2M - sum y (Gt w)(Gt w)^T >= 0,  block n+1:  sum y w w^T >= 0.
  // Objective: sum_n tr(Lambda_n) = sum_n tr(Lt_n) / 2.
  const int twoK = 2 * K, twoM = 2 * M;
  const int per_dev = twoK * (twoK + 1) / 2;
  const int m = N * per_dev;
  std::vector<std::pair<int, int>> pairs;  // (a, b), a <= b
  for (int a = 0; a < twoK; ++a)
    for (int b = a; b < twoK; ++b) pairs.emplace_back(a, b);

  // DSDP keeps pointers into these arrays until it is destroyed.
  std::vector<double> big_vals(static_cast<size_t>(m) * twoM);
  std::vector<int> big_idx(twoM);
  for (int i = 0; i < twoM; ++i) big_idx[i] = i;
  std::vector<int> small_idx(static_cast<size_t>(m) * 2);
  std::vector<double> small_vals(static_cast<size_t>(m) * 2, 1.0);

  DsdpHandle h;
  check(DSDPCreate(m, &h.dsdp), "DSDPCreate");
  SDPCone cone = nullptr;
  check(DSDPCreateSDPCone(h.dsdp, N + 1, &cone), "DSDPCreateSDPCone");
  check(SDPConeSetBlockSize(cone, 0, twoM), "SDPConeSetBlockSize");
  check(SDPConeSetIdentity(cone, 0, 0, twoM, 1.0), "SDPConeSetIdentity");
  for (int n = 0; n < N; ++n) {
    check(SDPConeSetBlockSize(cone, n + 1, twoK), "SDPConeSetBlockSize");
    const Eigen::MatrixXd Gt = embed(sc.G[n]);  // 2M x 2K
    for (int p = 0; p < per_dev; ++p) {
      const int i = n * per_dev + p;  // 0-based variable; DSDP numbers them from 1
      const auto [a, b] = pairs[p];
      Eigen::VectorXd u = Gt.col(a);
      if (b != a) u += Gt.col(b);
      std::copy(u.data(), u.data() + twoM, big_vals.begin() + static_cast<ptrdiff_t>(i) * twoM);
      check(SDPConeSetARankOneMat(cone, 0, i + 1, twoM, 1.0, 0, big_idx.data(),
                                  big_vals.data() + static_cast<ptrdiff_t>(i) * twoM, twoM),
            "SDPConeSetARankOneMat");
      int* idx = small_idx.data() + 2 * i;
      idx[0] = a;
      idx[1] = b;
      check(SDPConeSetARankOneMat(cone, n + 1, i + 1, twoK, -1.0, 0, idx, small_vals.data() + 2 * i,
                                  b != a ? 2 : 1),
            "SDPConeSetARankOneMat");
      check(DSDPSetDualObjective(h.dsdp, i + 1, b != a ? 1.0 : 0.5), "DSDPSetDualObjective");
    }
  }
  check(DSDPSetGapTolerance(h.dsdp, gap_tolerance), "DSDPSetGapTolerance");
  check(DSDPSetMaxIts(h.dsdp, 200), "DSDPSetMaxIts");
  // Every unknown meets every other in block 0: the Schur matrix is dense.
  check(DSDPUseLAPACKForSchur(h.dsdp, 1), "DSDPUseLAPACKForSchur");
  check(DSDPSetup(h.dsdp), "DSDPSetup");
  check(DSDPSolve(h.dsdp), "DSDPSolve");
  check(DSDPComputeX(h.dsdp), "DSDPComputeX");

  SdrSolution sol;
  DSDPTerminationReason reason;
  DSDPSolutionType type;
  check(DSDPStopReason(h.dsdp, &reason), "DSDPStopReason");
  check(DSDPGetSolutionType(h.dsdp, &type), "DSDPGetSolutionType");
  check(DSDPGetIts(h.dsdp, &sol.iterations), "DSDPGetIts");
  sol.status = fmt::format("DSDP: {} ({})", dsdp_reason(reason),
                           type == DSDP_PDFEASIBLE ? "primal-dual feasible"
                           : type == DSDP_UNBOUNDED ? "dual unbounded"
                           : type == DSDP_INFEASIBLE ? "dual infeasible" : "feasibility unknown");
  if (type == DSDP_UNBOUNDED || type == DSDP_INFEASIBLE)
    throw std::runtime_error("solve_sdr: SDR not solved: " + sol.status);

  // Primal matrix of block 0 = embedded Q' (packed lower triangle, row-wise).
  double* xp = nullptr;
  int nn = 0;
  check(SDPConeGetXArray(cone, 0, &xp, &nn), "SDPConeGetXArray");
  if (nn != twoM * (twoM + 1) / 2) throw std::runtime_error("DSDP: unexpected X array size");
  Eigen::MatrixXd X(twoM, twoM);
  for (int i = 0, k = 0; i < twoM; ++i)
    for (int j = 0; j <= i; ++j, ++k) X(i, j) = X(j, i) = xp[k];
  // The real problem's right-hand side I_2K is c = 1/2 per real copy: Q' = 2 unembed(X).
  const Eigen::MatrixXcd Qp = 2.0 * unembed(X);

  std::vector<double> y(m);
  check(DSDPGetY(h.dsdp, y.data(), m), "DSDPGetY");
  std::vector<Eigen::MatrixXcd> Lp(N);
  for (int n = 0; n < N; ++n) {
    Eigen::MatrixXd Lt = Eigen::MatrixXd::Zero(twoK, twoK);
    for (int p = 0; p < per_dev; ++p) {
      const auto [a, b] = pairs[p];
      const double v = y[n * per_dev + p];
      Lt(a, a) += v;
      if (b != a) {
        Lt(b, b) += v;
        Lt(a, b) += v;
        Lt(b, a) += v;
      }
    }
    Lp[n] = unembed(Lt);  // complex multiplier: objective sum tr(Lt)/2 = sum tr(unembed(Lt))
  }
  finish_sdr(sc, c, Qp, Lp, sol);
  sol.converged = reason == DSDP_CONVERGED && type == DSDP_PDFEASIBLE;
  return sol;
}

// Log-barrier method on the dual (Boyd & Vandenberghe ch. 11):
//   minimize  phi_t(L) = -t sum_n tr(L_n) - log det S - sum_n log det L_n,  S = I - sum G L G^H.
// Gradient:  -t I + G_n^H S^-1 G_n - L_n^-1.  Hessian:  D -> sum_m P_nm D_m P_mn + L_n^-1 D_n L_n^-1
// with P_nm = G_n^H S^-1 G_m; it is Hermitian positive definite on all of C^{K x K} too, so the
// Newton system is solved as one complex (N K^2) x (N K^2) Cholesky. On the central path
// Q' = S^-1 / t is primal feasible and the gap is (M + N K) / t.
class BarrierSolver {
 public:
  BarrierSolver(const ScaledSdr& sc) : sc_(sc), N_(sc.N), M_(sc.M), K_(sc.K) {
    Gall_.resize(M_, N_ * K_);
    for (int n = 0; n < N_; ++n) Gall_.middleCols(n * K_, K_) = sc.G[n];
    // Orthonormal basis of K x K Hermitian matrices, per device: E_kk; (E_kl + E_lk)/sqrt2;
    // i(E_lk - E_kl)/sqrt2 (k < l). Entries are stored with global row/column indices.
    const double r = std::sqrt(0.5);
    const std::complex<double> I(0.0, 1.0);
    for (int n = 0; n < N_; ++n) {
      const int o = n * K_;
      for (int k = 0; k < K_; ++k) basis_.push_back({n, 1, {o + k, 0}, {o + k, 0}, {1.0, 0.0}});
      for (int k = 0; k < K_; ++k)
        for (int l = k + 1; l < K_; ++l) {
          basis_.push_back({n, 2, {o + k, o + l}, {o + l, o + k}, {r, r}});
          basis_.push_back({n, 2, {o + l, o + k}, {o + k, o + l}, {I * r, -I * r}});
        }
    }
  }

  // Below ~1e-7 relative gap S = I - sum G L G^H loses its small eigenvalues to cancellation
  // and the recovered Q' = S^-1 / t gets worse, not better: the tolerance is floored there.
  static constexpr double kMinGap = 1e-7;
  static constexpr double kLooseCentering = 1e-3, kTightCentering = 1e-9;  // on lambda^2 / 2
  static constexpr double kStep = 50.0;                                     // t growth per stage

  SdrSolution solve(const std::vector<double>& c, double gap_tolerance) {
    gap_tolerance = std::max(gap_tolerance, kMinGap);
    // Start: L_n = eps I with S = I - eps Gall Gall^H >= I/2.
    const double gmax = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(Gall_ * Gall_.adjoint(), Eigen::EigenvaluesOnly)
                            .eigenvalues()(M_ - 1);
    L_.assign(N_, (0.5 / gmax) * Eigen::MatrixXcd::Identity(K_, K_));
    const double nu = M_ + N_ * K_;  // barrier parameter: gap = nu / t on the central path
    double t = 1.0;
    int newton = 0;
    bool converged = false;
    // Intermediate stages are centred loosely (the path only has to be followed, not hit);
    // the last one tightly, because Q' = S^-1 / t is read off it.
    for (int outer = 0; outer < 60; ++outer) {
      newton += center(t, kLooseCentering);
      double obj = 0;
      for (const auto& l : L_) obj += l.trace().real();
      if (nu / t <= gap_tolerance * obj) {
        newton += center(t, kTightCentering);
        converged = true;
        break;
      }
      t *= kStep;
    }
    SdrSolution sol;
    sol.iterations = newton;
    sol.status = converged ? "barrier: converged" : "barrier: gap above tolerance after 60 stages";
    if (!eval(L_, nullptr)) throw std::runtime_error("solve_sdr: barrier iterate left the feasible set");
    const Eigen::MatrixXcd Qp = Sinv_ / t;
    finish_sdr(sc_, c, Qp, L_, sol);
    sol.converged = converged;
    return sol;
  }

 private:
  // phi at L (without the t term) and the factorizations; false if L is infeasible.
  bool eval(const std::vector<Eigen::MatrixXcd>& L, double* logbarrier) {
    Eigen::MatrixXcd S = Eigen::MatrixXcd::Identity(M_, M_);
    for (int n = 0; n < N_; ++n) S.noalias() -= sc_.G[n] * L[n] * sc_.G[n].adjoint();
    Eigen::LLT<Eigen::MatrixXcd> llt(S);
    if (llt.info() != Eigen::Success) return false;
    double lb = 0;
    for (int i = 0; i < M_; ++i) {
      const double d = std::real(llt.matrixL()(i, i));
      if (!(d > 0)) return false;
      lb -= 2 * std::log(d);
    }
    Linv_.resize(N_);
    for (int n = 0; n < N_; ++n) {
      Eigen::LLT<Eigen::MatrixXcd> l(L[n]);
      if (l.info() != Eigen::Success) return false;
      for (int i = 0; i < K_; ++i) {
        const double d = std::real(l.matrixL()(i, i));
        if (!(d > 0)) return false;
        lb -= 2 * std::log(d);
      }
      if (!logbarrier) Linv_[n] = l.solve(Eigen::MatrixXcd::Identity(K_, K_));
    }
    if (logbarrier) {
      *logbarrier = lb;
    } else {
      Sinv_ = llt.solve(Eigen::MatrixXcd::Identity(M_, M_));
    }
    return true;
  }

  double phi(const std::vector<Eigen::MatrixXcd>& L, double t, bool& feasible) {
    double lb = 0;
    feasible = eval(L, &lb);
    if (!feasible) return std::numeric_limits<double>::infinity();
    double tr = 0;
    for (const auto& l : L) tr += l.trace().real();
    return -t * tr + lb;
  }

  // Newton's method for phi_t from the current L_; returns the number of steps.
  int center(double t, double tolerance) {
    const int KK = K_ * K_, dim = N_ * KK;
    int steps = 0;
    for (; steps < 100; ++steps) {
      if (!eval(L_, nullptr)) throw std::runtime_error("solve_sdr: barrier iterate left the feasible set");
      const Eigen::MatrixXcd P = Gall_.adjoint() * Sinv_ * Gall_;  // (N K) x (N K)
      // Newton system in real coordinates x of the Hermitian unknowns, D_n = sum_i x_i E_i
      // (orthonormal basis, each E_i with <= 2 nonzeros (r, s, v)):
      //   H_ij = Re tr(E_i^H P_nm E_j P_mn) [+ Re tr(E_i^H L_n^-1 E_j L_n^-1) if n = m]
      //        = Re sum_{p,q} conj(u_p) v_q B[r_p, r_q] B[s_q, s_p]
      // with B = P, plus the same with B = blkdiag(L^-1) within a device; global indices.
      Lb_.setZero(N_ * K_, N_ * K_);
      for (int n = 0; n < N_; ++n) Lb_.block(n * K_, n * K_, K_, K_) = Linv_[n];
      Hr_.resize(dim, dim);
      Eigen::VectorXd gr(dim);
      for (int j = 0; j < dim; ++j) {
        const auto& ej = basis_[j];
        for (int i = j; i < dim; ++i) {
          const auto& ei = basis_[i];
          std::complex<double> h = 0;
          for (int p = 0; p < ei.nnz; ++p)
            for (int q = 0; q < ej.nnz; ++q) {
              std::complex<double> prod = P(ei.r[p], ej.r[q]) * P(ej.s[q], ei.s[p]);
              if (ei.dev == ej.dev) prod += Lb_(ei.r[p], ej.r[q]) * Lb_(ej.s[q], ei.s[p]);
              h += std::conj(ei.v[p]) * ej.v[q] * prod;
            }
          Hr_(i, j) = h.real();
        }
      }
      // Gradient -t I + P_nn - L_n^-1, in the same coordinates: Re sum_p conj(u_p) grad[r_p, s_p].
      for (int i = 0; i < dim; ++i) {
        const auto& e = basis_[i];
        std::complex<double> gi = 0;
        for (int p = 0; p < e.nnz; ++p) {
          const int lr = e.r[p] - e.dev * K_, ls = e.s[p] - e.dev * K_;
          const std::complex<double> gv = (lr == ls ? -t : 0.0) + P(e.r[p], e.s[p]) - Linv_[e.dev](lr, ls);
          gi += std::conj(e.v[p]) * gv;
        }
        gr(i) = gi.real();
      }
      auto& Hr = Hr_;
      Eigen::LLT<Eigen::MatrixXd> llt(Hr);
      if (llt.info() != Eigen::Success) throw std::runtime_error("solve_sdr: barrier Newton system not positive definite");
      const Eigen::VectorXd x = llt.solve(-gr);
      const double decrement2 = -gr.dot(x);  // lambda^2 = g^T H^-1 g
      if (decrement2 / 2 <= tolerance) break;
      std::vector<Eigen::MatrixXcd> D(N_, Eigen::MatrixXcd::Zero(K_, K_));
      for (int j = 0; j < dim; ++j) {
        const auto& e = basis_[j];
        for (int p = 0; p < e.nnz; ++p) D[e.dev](e.r[p] - e.dev * K_, e.s[p] - e.dev * K_) += e.v[p] * x(j);
      }
      bool feasible = false;
      const double f0 = phi(L_, t, feasible);
      double step = 1.0;
      std::vector<Eigen::MatrixXcd> trial(N_);
      for (int ls = 0; ls < 60; ++ls, step *= 0.5) {
        for (int n = 0; n < N_; ++n) trial[n] = L_[n] + step * D[n];
        const double f1 = phi(trial, t, feasible);
        if (feasible && f1 <= f0 - 0.25 * step * decrement2) break;
      }
      if (!feasible) break;  // no progress possible in floating point
      L_.swap(trial);
    }
    return steps;
  }

  const ScaledSdr& sc_;
  int N_, M_, K_;
  Eigen::MatrixXcd Gall_;
  // Real coordinates -> Hermitian directions: basis element i of device `dev` has <= 2
  // nonzeros v[p] at (r[p], s[p]) (global indices into the N K x N K matrix P).
  struct BasisVec {
    int dev;
    int nnz;
    int r[2], s[2];
    std::complex<double> v[2];
  };
  std::vector<BasisVec> basis_;
  Eigen::MatrixXcd Lb_;  // blkdiag(L_n^-1)
  Eigen::MatrixXd Hr_;
  std::vector<Eigen::MatrixXcd> L_, Linv_;
  Eigen::MatrixXcd Sinv_;
};

}  // namespace

SdrSolution solve_sdr(const std::vector<Eigen::MatrixXcd>& F, const std::vector<double>& c,
                      double gap_tolerance, SdpSolver solver) {
  if (!(gap_tolerance > 0) || !(gap_tolerance < 1))
    throw std::invalid_argument(fmt::format("solve_sdr: gap tolerance {} must be in (0, 1)", gap_tolerance));
  const ScaledSdr sc = scale_sdr(F, c);
  if (solver == SdpSolver::Dsdp) return solve_sdr_dsdp(sc, c, gap_tolerance);
  BarrierSolver barrier(sc);
  return barrier.solve(c, gap_tolerance);
}

namespace {

// Weak duality for the exact (trace-inverse) problem of the kept devices, L = K:
//   min tr Q  s.t.  tr((H_n^H Q H_n)^-1) <= p_n,  Q >= 0   (any ZF design has Q = A A^H feasible)
// For W_n >= 0 with sum_n H_n W_n H_n^H <= I and X_n = H_n^H Q H_n:
//   tr Q >= sum_n tr(W_n X_n) >= sum_n (tr W_n^{1/2})^2 / tr(X_n^-1) >= sum_n (tr W_n^{1/2})^2 / p_n
// (Cauchy-Schwarz on tr(W^1/2 X^1/2 X^-1/2)). The SDR duals are such W_n.
double zf_lower_bound_from_duals(const TransceiverProblem& problem, const std::vector<int>& kept,
                                 const std::vector<Eigen::MatrixXcd>& F, const std::vector<Eigen::MatrixXcd>& Lambda) {
  const int M = problem.n_rx();
  std::vector<Eigen::MatrixXcd> W(kept.size());
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(M, M);
  std::vector<double> root_trace(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(Lambda[i]);
    const Eigen::VectorXd ev = eig.eigenvalues().cwiseMax(0.0);
    W[i] = eig.eigenvectors() * ev.asDiagonal() * eig.eigenvectors().adjoint();
    root_trace[i] = ev.cwiseSqrt().sum();
    S.noalias() += F[i] * W[i] * F[i].adjoint();
  }
  const double lmax = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(S, Eigen::EigenvaluesOnly).eigenvalues()(M - 1);
  if (!(lmax > 0)) return 0.0;
  double bound = 0;
  for (size_t i = 0; i < kept.size(); ++i) bound += root_trace[i] * root_trace[i] / problem.power[kept[i]];
  return problem.sigma2 * bound / lmax;  // W / lmax is exactly feasible; the bound is 1-homogeneous
}

}  // namespace

namespace {

void check_sdr_limits(const TransceiverProblem& problem, const TransceiverOptions& options) {
  using Lim = SdrLimits;
  const int M = problem.n_rx(), N = problem.n_devices(), K = problem.n_tx(), L = problem.n_streams;
  auto outside = [](int v, int hi, const char* why) {
    return fmt::format("{} is outside 1..{} for the SDR design ({})", v, hi, why);
  };
  if (M > Lim::max_rx) throw ParameterError("rx_antennas", outside(M, Lim::max_rx, "M x M work per Newton step and candidate"));
  if (N > Lim::max_devices) throw ParameterError("devices", outside(N, Lim::max_devices, "one LMI per device"));
  if (K > Lim::max_tx) throw ParameterError("tx_antennas", outside(K, Lim::max_tx, "K x K dual matrix per device"));
  const int lmi = L == K ? K : L;
  if (N * lmi * lmi > Lim::max_newton_unknowns)
    throw ParameterError(L == K ? "tx_antennas" : "streams",
                         fmt::format("{} with {} devices gives N x {}^2 = {} Newton unknowns, above the SDR design's "
                                     "{} (dense Newton system, ~0.3 s there)",
                                     lmi, N, lmi, N * lmi * lmi, Lim::max_newton_unknowns));
  if (options.n_randomizations < 0 || options.n_randomizations > Lim::max_randomizations)
    throw ParameterError("randomizations", fmt::format("{} is outside 0..{}", options.n_randomizations,
                                                       Lim::max_randomizations));
  if (options.refine_iterations < 0 || options.refine_iterations > 100000)
    throw ParameterError("refine_iterations", fmt::format("{} is outside 0..100000", options.refine_iterations));
  if (!(options.refine_tolerance > 0) || !(options.refine_tolerance < 1))
    throw ParameterError("refine_tolerance", fmt::format("{} is outside (0, 1)", options.refine_tolerance));
}

}  // namespace

TransceiverDesign design_sdr(const TransceiverProblem& problem, const TransceiverOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  problem.validate();
  check_sdr_limits(problem, options);
  const std::vector<bool> dropped = select_devices(problem, options);
  const int N = problem.n_devices(), M = problem.n_rx(), L = problem.n_streams;

  std::vector<int> kept;
  for (int n = 0; n < N; ++n)
    if (!dropped[n]) kept.push_back(n);

  // F_n = H_n V_n: the device's L strongest input directions. For L = K this is H_n up to a
  // unitary rotation (same LMI); for L < K it keeps the LMI L x L, which a rank-L Q can meet.
  const int K = problem.n_tx();
  std::vector<Eigen::MatrixXcd> F;
  std::vector<double> c;
  for (int n : kept) {
    if (L == K) {
      F.push_back(problem.H[n]);
    } else {
      Eigen::JacobiSVD<Eigen::MatrixXcd> svd(problem.H[n], Eigen::ComputeThinV);
      F.push_back(problem.H[n] * svd.matrixV().leftCols(L));
    }
    c.push_back(static_cast<double>(L) / problem.power[n]);
  }

  TransceiverDesign d;
  SdrSolution sol;
  if (kept.empty()) {
    d = zf_design_from_direction(problem, Eigen::MatrixXcd::Zero(M, L), dropped, "sdr");
  } else {
    sol = solve_sdr(F, c, options.sdp_gap_tolerance, options.sdp_solver);
    // Candidates: Q* = U diag(lambda) U^H; principal L eigenvectors, then U diag(lambda)^1/2 R.
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(sol.Q);
    const Eigen::VectorXd lambda = eig.eigenvalues().cwiseMax(0.0);  // ascending
    const Eigen::MatrixXcd root = eig.eigenvectors() * lambda.cwiseSqrt().asDiagonal();
    auto score = [&](const Eigen::MatrixXcd& G) {
      const double a = zf_alpha(G, problem, dropped);
      return std::isfinite(a) ? a : std::numeric_limits<double>::infinity();
    };
    Eigen::MatrixXcd best = root.rightCols(L);
    double best_alpha = score(best);
    WirelessRng rng({options.seed, 0x5d2});
    Eigen::MatrixXcd R(M, L);
    for (int k = 0; k < options.n_randomizations; ++k) {
      for (int j = 0; j < L; ++j)
        for (int i = 0; i < M; ++i) R(i, j) = rng.complex_normal();
      Eigen::MatrixXcd cand = root * R;
      const double a = score(cand);
      if (a < best_alpha) {
        best_alpha = a;
        best = std::move(cand);
      }
    }
    if (!std::isfinite(best_alpha))
      throw std::runtime_error("design_sdr: every randomization candidate leaves some device unservable");
    d = zf_design_from_direction(problem, best, dropped, "sdr");
  }
  d.chosen = "sdr";

  if (!options.paper_only) {
    // Devices that can be zero-forced at all; the drop rule's other choices are candidates.
    TransceiverOptions keep_all = options;
    keep_all.drop_solo_mse = 0;
    const std::vector<bool> unservable = select_devices(problem, keep_all);
    const bool allow_drop = options.drop_solo_mse != 0;
    std::vector<TransceiverDesign> zf;
    zf.push_back(d);
    zf.push_back(design_mmse_zf(problem, options));
    zf.push_back(design_matched_filter(problem, options));
    for (size_t i = 0, n0 = zf.size(); i < n0; ++i) {  // each direction with its best drop set
      if (zf[i].A.squaredNorm() == 0) continue;
      const auto drop = best_drop_set(problem, zf[i].A, unservable, allow_drop);
      if (drop == zf[i].dropped) continue;
      zf.push_back(zf_design_from_direction(problem, zf[i].A, drop, zf[i].method));
      zf.back().chosen = zf[i].method + "+drop";
    }
    size_t w = 0;
    for (size_t i = 1; i < zf.size(); ++i)
      if (zf[i].mse < zf[w].mse) w = i;
    TransceiverDesign z = std::move(zf[w]);
    if (z.chosen.empty()) z.chosen = z.method;
    z.unrefined_mse = z.mse;
    if (options.refine_iterations > 0 && z.A.squaredNorm() > 0) {
      int steps = 0;
      const Eigen::MatrixXcd G =
          refine_zf_direction(problem, z.A, z.dropped, options.refine_tolerance, options.refine_iterations, &steps);
      TransceiverDesign r = zf_design_from_direction(problem, G, z.dropped, "sdr");
      const auto drop = best_drop_set(problem, G, unservable, allow_drop);
      if (drop != r.dropped) {
        TransceiverDesign r2 = zf_design_from_direction(problem, G, drop, "sdr");
        if (r2.mse < r.mse) r = std::move(r2);
      }
      if (r.mse < z.mse) {  // monotone: the refined design replaces the candidate only if better
        r.chosen = z.chosen + "+refined";
        r.unrefined_mse = z.unrefined_mse;
        z = std::move(r);
      }
      z.refine_steps = steps;
    }
    // Non-ZF candidate (wins at low SNR, where misalignment is cheaper than channel inversion).
    TransceiverDesign eq = design_equal_power(problem, options);
    eq.chosen = "equal_power";
    eq.unrefined_mse = eq.mse;
    // Refined only where it already wins: where ZF wins, the design stays ZF, so the ZF
    // certificate (zf_lower_bound) and the alpha-based gradients keep applying.
    if (options.refine_iterations > 0 && eq.mse < z.mse) {
      const double before = eq.mse;
      int steps = 0;
      refine_alternating(problem, eq, options.refine_tolerance, options.refine_iterations, &steps);
      if (eq.mse < before) eq.chosen += "+refined";
      eq.refine_steps = steps;
    }
    TransceiverDesign& win = eq.mse < z.mse ? eq : z;
    win.method = "sdr";
    d = std::move(win);
  }

  // With L < K the relaxation is of a restricted problem: its value bounds nothing.
  if (!kept.empty()) {
    d.sdr_bound = L == K ? problem.sigma2 * sol.trace : std::numeric_limits<double>::quiet_NaN();
    d.sdr_dual_trace.assign(N, 0.0);
    for (size_t i = 0; i < kept.size(); ++i) d.sdr_dual_trace[kept[i]] = sol.Lambda[i].trace().real();
    if (L == K) d.zf_lower_bound = zf_lower_bound_from_duals(problem, kept, F, sol.Lambda) + L * static_cast<double>(N - static_cast<int>(kept.size()));
  } else {
    d.sdr_dual_trace.assign(N, 0.0);
  }
  d.solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return d;
}

}  // namespace airtp
