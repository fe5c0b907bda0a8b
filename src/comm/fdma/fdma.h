// Uncoded FDMA all-reduce (the paper's analog baseline): every device sends its partial as analog
// symbols on its own B/N sub-band, so the server receives each device separately, estimates it
// with that device's receive combiner and adds the estimates. It needs N times AirComp's air time
// for the same vector, and every device's estimation error adds to the sum's.
//
// Energy: a device spends what it would in AirComp, p_n per channel use over T uses of the whole
// band. On a B/N sub-band a use lasts N times longer, so it transmits at p_n / N; its noise,
// integrated over B/N, is sigma^2 / N. Per channel use the SNR is therefore AirComp's, and the
// design of each device is the single-device problem with power p_n and noise sigma^2:
//   precoder B_n = V_L diag(sqrt(x_l)), x_l proportional to 1 / s_l (sum p_n), the power split that
//   minimises the zero-forcing MSE sigma^2 (sum_l 1/s_l)^2 / p_n over the singular values s_l of H_n;
//   combiner A_n = U_L diag(1 / (s_l sqrt(x_l))) ("zf") or the LMMSE receiver for that B_n ("mmse").
// Each device normalises with its own mean and scale (they are received separately).
#pragma once
#include <Eigen/Dense>
#include <memory>

#include "comm/scheme.h"

namespace airtp {

enum class FdmaCombiner { Zf, Mmse };

struct FdmaDesign {
  Eigen::MatrixXcd A, B;  // M x L combiner, K x L precoder
  double mse = 0;         // per channel use, sum over the L streams, unit-variance symbols
};
// One device on its own sub-band: channel H (M x K), noise sigma2, power p, L streams.
FdmaDesign fdma_design(const Eigen::MatrixXcd& H, double sigma2, double power, int streams, FdmaCombiner combiner);

// ceil(values / (kappa L)) channel uses for each device, one after another in frequency: N x
// AirComp's air time; then the broadcast of the result.
AllReduceTime fdma_link_time(const LinkConfig& link, const LinkRates& rates, int n_devices, long long values);

Scheme fdma_scheme();
std::unique_ptr<AllReduce> make_fdma_allreduce(Transport& t, const LinkConfig& link, FdmaCombiner combiner);

}  // namespace airtp
