#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "comm/aircomp.h"
#include "wireless/channel.h"
#include "wireless/rng.h"

namespace airtp {
namespace {

using Eigen::MatrixXcd;

class AirCompAllReduce final : public AllReduce {
 public:
  AirCompAllReduce(Transport& t, AirCompOptions opt, LinkModel link)
      : AllReduce(t), opt_(std::move(opt)), channel_(opt_.wireless), link_(std::move(link)) {
    if (opt_.wireless.n_devices() != t.n_devices())
      throw std::invalid_argument(fmt::format("the wireless scenario has {} devices but the run has {}",
                                              opt_.wireless.n_devices(), t.n_devices()));
    if (opt_.reals_per_symbol != 1 && opt_.reals_per_symbol != 2)
      throw std::invalid_argument(fmt::format("--reals-per-symbol {} must be 1 or 2", opt_.reals_per_symbol));
    if (opt_.coherence_calls < 1)
      throw std::invalid_argument(fmt::format("--coherence {} must be >= 1 all-reduce", opt_.coherence_calls));
  }
  std::string name() const override { return fmt::format("aircomp-{}", to_string(opt_.method)); }

 protected:
  void do_reduce(std::span<const std::span<float>> parts) override {
    const int N = transport_.n_devices();
    if (N == 1) return;  // one device holds the whole sum: nothing goes on the air
    const size_t D = parts[0].size();
    const auto& local = transport_.local_devices();
    const int kappa = opt_.reals_per_symbol, L = opt_.wireless.n_streams;

    exact_.assign(D, 0.0f);
    for (const auto& p : parts)
      for (size_t i = 0; i < D; ++i) exact_[i] += p[i];
    transport_.sum(std::span<float>(exact_));

    const uint64_t block = stats_.calls / static_cast<uint64_t>(opt_.coherence_calls);
    if (!have_block_ || block != block_) prepare_block(block);

    // Common-scale normalisation: means and the scale go digitally (2N+1 numbers, negligible).
    std::vector<double> mu(static_cast<size_t>(N), 0.0), var(static_cast<size_t>(N), 0.0);
    for (size_t k = 0; k < parts.size(); ++k) {
      const auto& p = parts[k];
      double m = 0, q = 0;
      for (float x : p) m += x;
      m /= static_cast<double>(D);
      for (float x : p) q += (x - m) * (x - m);
      mu[static_cast<size_t>(local[k])] = m;
      var[static_cast<size_t>(local[k])] = q / static_cast<double>(D);
    }
    transport_.sum(std::span<double>(mu));
    transport_.sum(std::span<double>(var));
    double mu_sum = 0;
    for (double m : mu) mu_sum += m;
    const double v = std::sqrt(kappa * *std::max_element(var.begin(), var.end()));

    result_.assign(D, static_cast<float>(mu_sum));
    uint64_t uses = 0;
    if (v > 0) {
      const int64_t T = static_cast<int64_t>((D + static_cast<size_t>(kappa * L) - 1) / static_cast<size_t>(kappa * L));
      uses = static_cast<uint64_t>(T);
      const int M = opt_.wireless.n_rx_antennas;
      MatrixXcd Y = MatrixXcd::Zero(M, T);
      MatrixXcd S(L, T);
      for (size_t k = 0; k < parts.size(); ++k) {
        const int n = local[k];
        if (design_.dropped[static_cast<size_t>(n)]) continue;
        pack(parts[k], mu[static_cast<size_t>(n)], v, kappa, S);
        Y.noalias() += real_.H[static_cast<size_t>(n)] * (design_.B[static_cast<size_t>(n)] * S);
      }
      // The superposition on the air: the sum of every device's received contribution.
      transport_.sum(std::span<double>(reinterpret_cast<double*>(Y.data()), static_cast<size_t>(2 * Y.size())));
      WirelessRng rng({opt_.noise_seed, 0xA1C0u, stats_.calls});
      for (int64_t t = 0; t < T; ++t)
        for (int m = 0; m < M; ++m) Y(m, t) += rng.complex_normal(real_.noise_power_w);
      const MatrixXcd Shat = design_.A.adjoint() * Y;
      const auto* z = reinterpret_cast<const double*>(Shat.data());  // (re, im) per symbol
      for (size_t i = 0; i < D; ++i) {
        const size_t sym = i / static_cast<size_t>(kappa), part = i % static_cast<size_t>(kappa);
        result_[i] = static_cast<float>(mu_sum + v * z[2 * sym + part]);
      }
    }
    double err = 0, ref = 0;
    for (size_t i = 0; i < D; ++i) {
      if (!std::isfinite(result_[i]))
        throw std::runtime_error(fmt::format("AirComp all-reduce produced a non-finite value (block {}, design {})",
                                             block_, design_.method));
      const double e = static_cast<double>(result_[i]) - exact_[i];
      err += e * e;
      ref += static_cast<double>(exact_[i]) * exact_[i];
    }
    stats_.err_sq += err;
    stats_.ref_sq += ref;
    stats_.channel_uses += uses;
    for (const auto& p : parts) std::copy(result_.begin(), result_.end(), p.begin());
    for (int d = 0; d < N; ++d) {
      // Symbols on the air per device (complex, 2 x float32 equivalent), broadcast result fp16.
      stats_.bytes_sent[static_cast<size_t>(d)] += uses * static_cast<uint64_t>(L) * 8;
      stats_.bytes_recv[static_cast<size_t>(d)] += 2 * D;
    }
    if (link_) stats_.link_time_s += link_(LinkEvent{.values = D, .payload_bytes = 0, .channel_uses = uses, .block_index = block});
  }

 private:
  // Symbols of one device: element i of (x - mu)/v goes to symbol i/kappa (real, then imag).
  static void pack(std::span<const float> x, double mu, double v, int kappa, MatrixXcd& S) {
    S.setZero();
    auto* s = reinterpret_cast<double*>(S.data());
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t sym = i / static_cast<size_t>(kappa), part = i % static_cast<size_t>(kappa);
      s[2 * sym + part] = (x[i] - mu) / v;
    }
  }

  void prepare_block(uint64_t block) {
    real_ = channel_.realization(block);
    const int N = transport_.n_devices();
    TransceiverProblem prob;
    prob.H = real_.H;
    prob.sigma2 = real_.noise_power_w;
    prob.n_streams = opt_.wireless.n_streams;
    for (int n = 0; n < N; ++n) prob.power.push_back(opt_.wireless.tx_power_w(n));
    const bool distributed = transport_.local_devices().size() != static_cast<size_t>(N);
    if (transport_.is_root()) {
      TransceiverOptions o = opt_.design;
      o.seed = opt_.design.seed + block;
      design_ = design_transceiver(prob, opt_.method, o);
    }
    if (distributed) share_design(prob);
    design_.dropped.resize(static_cast<size_t>(N), false);  // designs that drop nobody may leave it empty
    stats_.designs += 1;
    stats_.design_seconds += design_.solve_seconds;
    stats_.design_mse_sum += design_.mse;
    stats_.dropped_devices += static_cast<uint64_t>(design_.n_dropped());
    block_ = block;
    have_block_ = true;
  }

  // The server solved the design; the devices receive their precoders (and, for simulation of
  // the receiver on every rank, the receive beamformer).
  void share_design(const TransceiverProblem& prob) {
    const int N = prob.n_devices(), M = prob.n_rx(), K = prob.n_tx(), L = prob.n_streams;
    std::vector<std::complex<double>> buf(static_cast<size_t>(M * L + N * K * L + N + 1));
    if (transport_.is_root()) {
      std::copy_n(design_.A.data(), M * L, buf.begin());
      for (int n = 0; n < N; ++n) std::copy_n(design_.B[static_cast<size_t>(n)].data(), K * L, buf.begin() + M * L + n * K * L);
      for (int n = 0; n < N; ++n) buf[static_cast<size_t>(M * L + N * K * L + n)] = design_.dropped[static_cast<size_t>(n)] ? 1.0 : 0.0;
      buf.back() = {design_.mse, design_.solve_seconds};
    }
    transport_.broadcast(std::span<std::byte>(reinterpret_cast<std::byte*>(buf.data()), buf.size() * sizeof(buf[0])), 0);
    if (transport_.is_root()) return;
    design_ = TransceiverDesign{};
    design_.A = Eigen::Map<MatrixXcd>(buf.data(), M, L);
    for (int n = 0; n < N; ++n) design_.B.push_back(Eigen::Map<MatrixXcd>(buf.data() + M * L + n * K * L, K, L));
    for (int n = 0; n < N; ++n) design_.dropped.push_back(buf[static_cast<size_t>(M * L + N * K * L + n)].real() != 0);
    design_.mse = buf.back().real();
    design_.solve_seconds = buf.back().imag();
  }

  AirCompOptions opt_;
  ChannelModel channel_;
  LinkModel link_;
  ChannelRealization real_;
  TransceiverDesign design_;
  uint64_t block_ = 0;
  bool have_block_ = false;
  std::vector<float> exact_, result_;
};

}  // namespace

std::unique_ptr<AllReduce> make_aircomp_allreduce(Transport& t, AirCompOptions opt, LinkModel link) {
  return std::make_unique<AirCompAllReduce>(t, std::move(opt), std::move(link));
}

}  // namespace airtp
