#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "comm/aircomp/aircomp.h"
#include "comm/analog.h"
#include "wireless/aircomp_signal.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

using Eigen::MatrixXcd;

class AirCompAllReduce final : public AllReduce {
 public:
  AirCompAllReduce(Transport& t, const LinkConfig& link, AirCompOptions opt)
      : AllReduce(t), link_(link), opt_(std::move(opt)), channel_(link.radio) {
    if (link.radio.n_devices() != t.n_devices())
      throw std::invalid_argument(fmt::format("the wireless scenario has {} devices but the run has {}",
                                              link.radio.n_devices(), t.n_devices()));
    if (link.air.broadcast) rates_.emplace(link.radio, RateNeeds{.downlink = true});
  }
  std::string name() const override { return fmt::format("aircomp-{}", to_string(opt_.method)); }

  std::vector<SchemeStat> scheme_stats() const override {
    return {{"channel_uses", static_cast<double>(channel_uses_), "complex channel uses on the air"},
            {"designs", static_cast<double>(designs_), "transceiver designs solved (one per channel block)"},
            {"design_seconds", design_seconds_, "time spent solving them"},
            {"design_mse_sum", design_mse_sum_, "sum of the designs' MSE per channel use"},
            {"dropped_devices", static_cast<double>(dropped_devices_), "device-blocks left out by deep fades"}};
  }

 protected:
  void reset_scheme_stats() override {
    channel_uses_ = designs_ = dropped_devices_ = 0;
    design_seconds_ = design_mse_sum_ = 0;
  }

  void do_reduce(std::span<const std::span<float>> parts, const SyncContext& at) override {
    const int N = transport_.n_devices();
    if (N == 1) return;  // one device holds the whole sum: nothing goes on the air
    const size_t D = parts[0].size();
    const auto& local = transport_.local_devices();
    const int kappa = link_.air.reals_per_symbol, L = link_.radio.n_streams;

    begin_error(parts);
    if (!block_ || *block_ != at.block) prepare_block(at.block);

    const std::vector<PartialMoments> moments = exchange_moments(transport_, parts);
    double mean_sum = 0;
    for (const auto& m : moments) mean_sum += m.mean;
    const double v = aircomp_common_scale(moments, kappa);

    result_.assign(D, static_cast<float>(mean_sum));
    int64_t uses = 0;
    if (v > 0) {
      uses = aircomp_channel_uses(D, kappa, L);
      MatrixXcd Y = MatrixXcd::Zero(link_.radio.n_rx_antennas, uses);
      for (size_t k = 0; k < parts.size(); ++k) {
        const size_t n = static_cast<size_t>(local[k]);
        if (design_.dropped[n]) continue;
        aircomp_superpose(real_.H[n], design_.B[n], aircomp_pack(parts[k], moments[n].mean, v, kappa, L, uses), Y);
      }
      // The superposition on the air: the sum of every device's received contribution.
      transport_.sum(std::span<double>(reinterpret_cast<double*>(Y.data()), static_cast<size_t>(2 * Y.size())));
      WirelessRng noise({opt_.noise_seed, 0xA1C0u, at.index});
      aircomp_unpack(aircomp_receive(std::move(Y), design_.A, real_.noise_power_w, noise), mean_sum, v, kappa,
                     std::span<float>(result_));
    }
    for (size_t i = 0; i < D; ++i)
      if (!std::isfinite(result_[i]))
        throw std::runtime_error(fmt::format("AirComp all-reduce produced a non-finite value (block {}, design {})",
                                             at.block, design_.method));
    end_error(result_);
    channel_uses_ += static_cast<uint64_t>(uses);
    for (const auto& p : parts) std::copy(result_.begin(), result_.end(), p.begin());
    // Symbols on the air per device (complex, 2 x float32 equivalent), broadcast result fp16.
    count_bytes_local(static_cast<uint64_t>(uses) * static_cast<uint64_t>(L) * 8, 2 * D);
    const LinkRates rates = rates_ ? rates_->at(at.block) : LinkRates{};
    stats_.link_time_s += aircomp_link_time(link_, rates, static_cast<long long>(D)).total_s();
  }

 private:
  void prepare_block(uint64_t block) {
    real_ = channel_.realization(block);
    const int N = transport_.n_devices();
    TransceiverProblem prob;
    prob.H = real_.H;
    prob.sigma2 = real_.noise_power_w;
    prob.n_streams = link_.radio.n_streams;
    for (int n = 0; n < N; ++n) prob.power.push_back(link_.radio.tx_power_w(n));
    const bool distributed = transport_.local_devices().size() != static_cast<size_t>(N);
    if (transport_.is_root()) {
      TransceiverOptions o = opt_.design;
      o.seed = opt_.design.seed + block;
      design_ = design_transceiver(prob, opt_.method, o);
    }
    if (distributed) share_design(prob);
    design_.dropped.resize(static_cast<size_t>(N), false);  // designs that drop nobody may leave it empty
    designs_ += 1;
    design_seconds_ += design_.solve_seconds;
    design_mse_sum_ += design_.mse;
    dropped_devices_ += static_cast<uint64_t>(design_.n_dropped());
    block_ = block;
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

  LinkConfig link_;
  AirCompOptions opt_;
  ChannelModel channel_;
  std::optional<BlockLinkRates> rates_;
  ChannelRealization real_;
  TransceiverDesign design_;
  std::optional<uint64_t> block_;
  std::vector<float> result_;
  uint64_t channel_uses_ = 0, designs_ = 0, dropped_devices_ = 0;
  double design_seconds_ = 0, design_mse_sum_ = 0;
};

}  // namespace

std::unique_ptr<AllReduce> make_aircomp_allreduce(Transport& t, const LinkConfig& link, const AirCompOptions& o) {
  return std::make_unique<AirCompAllReduce>(t, link, o);
}

}  // namespace airtp
