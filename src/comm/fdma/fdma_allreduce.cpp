#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "comm/analog.h"
#include "comm/fdma/fdma.h"
#include "wireless/aircomp_signal.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

using Eigen::MatrixXcd;

class FdmaAllReduce final : public AllReduce {
 public:
  FdmaAllReduce(Transport& t, const LinkConfig& link, FdmaCombiner combiner)
      : AllReduce(t), link_(link), combiner_(combiner), channel_(link.radio) {
    if (link.radio.n_devices() != t.n_devices())
      throw std::invalid_argument(fmt::format("the wireless scenario has {} devices but the run has {}",
                                              link.radio.n_devices(), t.n_devices()));
    if (link.air.broadcast) rates_.emplace(link.radio, RateNeeds{.downlink = true});
  }
  std::string name() const override { return fmt::format("fdma-{}", combiner_ == FdmaCombiner::Zf ? "zf" : "mmse"); }

  std::vector<SchemeStat> scheme_stats() const override {
    return {{"channel_uses", static_cast<double>(channel_uses_), "complex channel uses, all sub-bands"},
            {"designs", static_cast<double>(designs_), "channel blocks designed for"},
            {"design_mse_sum", design_mse_sum_, "sum over blocks of the devices' MSE per channel use"}};
  }

 protected:
  void reset_scheme_stats() override {
    channel_uses_ = designs_ = 0;
    design_mse_sum_ = 0;
  }

  void do_reduce(std::span<const std::span<float>> parts, const SyncContext& at) override {
    const int N = transport_.n_devices();
    if (N == 1) return;  // one device holds the whole sum: nothing goes on the air
    const size_t D = parts[0].size();
    const auto& local = transport_.local_devices();
    const int kappa = link_.air.reals_per_symbol, L = link_.radio.n_streams, M = link_.radio.n_rx_antennas;

    begin_error(parts);
    if (!block_ || *block_ != at.block) prepare_block(at.block);
    // Each device's mean and scale go digitally; the server receives every device apart.
    const std::vector<PartialMoments> moments = exchange_moments(transport_, parts);

    const int64_t T = aircomp_channel_uses(D, kappa, L);
    // The received signal of every device on its own sub-band, stacked: a transport sum hands
    // the server (every process simulates it) what each device's sub-band carried.
    std::vector<MatrixXcd> Y(static_cast<size_t>(N), MatrixXcd::Zero(M, T));
    std::vector<double> buf(static_cast<size_t>(2 * N * M * T), 0.0);
    for (size_t k = 0; k < parts.size(); ++k) {
      const size_t n = static_cast<size_t>(local[k]);
      const double v = std::sqrt(kappa * moments[n].variance);
      if (v == 0) continue;
      MatrixXcd y = MatrixXcd::Zero(M, T);
      aircomp_superpose(real_.H[n], design_[n].B, aircomp_pack(parts[k], moments[n].mean, v, kappa, L, T), y);
      std::copy_n(reinterpret_cast<const double*>(y.data()), 2 * M * T, buf.begin() + static_cast<long>(2 * n * M * T));
    }
    transport_.sum(std::span<double>(buf));

    result_.assign(D, 0.0f);
    est_.resize(D);
    uint64_t uses = 0;
    for (int n = 0; n < N; ++n) {
      const size_t un = static_cast<size_t>(n);
      const double v = std::sqrt(kappa * moments[un].variance);
      if (v == 0) {
        for (size_t i = 0; i < D; ++i) result_[i] += static_cast<float>(moments[un].mean);
        continue;
      }
      uses += static_cast<uint64_t>(T);
      MatrixXcd y = Eigen::Map<const MatrixXcd>(reinterpret_cast<const std::complex<double>*>(buf.data()) + un * M * T, M, T);
      WirelessRng noise({noise_seed_, 0xFD3Au, at.index, un});
      aircomp_unpack(aircomp_receive(std::move(y), design_[un].A, real_.noise_power_w, noise), moments[un].mean, v, kappa,
                     std::span<float>(est_));
      for (size_t i = 0; i < D; ++i) result_[i] += est_[i];
    }
    for (size_t i = 0; i < D; ++i)
      if (!std::isfinite(result_[i]))
        throw std::runtime_error(fmt::format("FDMA all-reduce produced a non-finite value (block {})", at.block));
    end_error(result_);
    channel_uses_ += uses;
    for (const auto& p : parts) std::copy(result_.begin(), result_.end(), p.begin());
    // Symbols on the air per device (complex, 2 x float32 equivalent), broadcast result fp16.
    count_bytes_local(static_cast<uint64_t>(T) * static_cast<uint64_t>(L) * 8, 2 * D);
    const LinkRates rates = rates_ ? rates_->at(at.block) : LinkRates{};
    stats_.link_time_s += fdma_link_time(link_, rates, N, static_cast<long long>(D)).total_s();
  }

 private:
  // Every process regenerates the block's channel and computes the (closed-form) designs itself.
  void prepare_block(uint64_t block) {
    real_ = channel_.realization(block);
    design_.clear();
    for (int n = 0; n < transport_.n_devices(); ++n) {
      design_.push_back(fdma_design(real_.H[static_cast<size_t>(n)], real_.noise_power_w, link_.radio.tx_power_w(n),
                                    link_.radio.n_streams, combiner_));
      design_mse_sum_ += design_.back().mse;
    }
    designs_ += 1;
    block_ = block;
  }

  LinkConfig link_;
  FdmaCombiner combiner_;
  ChannelModel channel_;
  uint64_t noise_seed_ = link_.radio.seed * 7919 + 11;
  std::optional<BlockLinkRates> rates_;
  ChannelRealization real_;
  std::vector<FdmaDesign> design_;
  std::optional<uint64_t> block_;
  std::vector<float> result_, est_;
  uint64_t channel_uses_ = 0, designs_ = 0;
  double design_mse_sum_ = 0;
};

}  // namespace

std::unique_ptr<AllReduce> make_fdma_allreduce(Transport& t, const LinkConfig& link, FdmaCombiner combiner) {
  return std::make_unique<FdmaAllReduce>(t, link, combiner);
}

}  // namespace airtp
