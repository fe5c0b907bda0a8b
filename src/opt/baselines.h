// Non-optimized transceivers to compare the SDR design against (docs/wireless-model.md).
// Every one returns its exact MSE by the same formula (aircomp_mse).
#pragma once
#include "opt/transceiver.h"

namespace airtp {

// Matched filter + ZF: G = principal L eigenvectors of sum_n H_n H_n^H (kept devices),
// alpha = zf_alpha(G), ZF precoders.
TransceiverDesign design_matched_filter(const TransceiverProblem& problem,
                                        const TransceiverOptions& options = {});

// MMSE-style receiver + ZF: G = (sum_n (p_n/K) H_n H_n^H + sigma2 I)^{-1} sum_n sqrt(p_n/L)
// H_n E_L (E_L = first L columns of I_K, i.e. the devices' identity precoding), then alpha
// and ZF precoders as above.
TransceiverDesign design_mmse_zf(const TransceiverProblem& problem,
                                 const TransceiverOptions& options = {});

// Equal power, no channel inversion: W_n = polar factor of H_n^H G_mf (K x L semi-unitary,
// G_mf from the matched filter), B_n = sqrt(p_n/L) W_n (full power), and the LMMSE receiver
// for the target sum_n s_n: A = (sum_n H_n B_n B_n^H H_n^H + sigma2 I)^{-1} sum_n H_n B_n.
// Misalignment is not zero; the exact MSE includes it. No device is ever dropped.
TransceiverDesign design_equal_power(const TransceiverProblem& problem,
                                     const TransceiverOptions& options = {});

}  // namespace airtp
