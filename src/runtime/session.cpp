#include "runtime/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "comm/aircomp.h"
#include "comm/schemes.h"
#include "perfmodel/latency.h"
#include "wireless/channel.h"
#include "wireless/rate.h"

namespace airtp {

namespace {

// Link rates of the channel block in use: every all-reduce of a block has the same channel, so
// the realization and its rates are computed once per block, not once per call.
class BlockRates {
 public:
  struct Rates {
    std::vector<double> uplink_bps;  // OFDMA share of each device
    double downlink_bps = 0;         // broadcast of the result
  };
  explicit BlockRates(const WirelessConfig& w) : w_(w), channel_(w) {}
  const Rates& at(uint64_t block) {
    if (!valid_ || block != block_) {
      const auto real = channel_.realization(block);
      rates_.uplink_bps = ofdma_uplink_rates_bps(real.H, w_);
      rates_.downlink_bps = broadcast_rate_bps(real.H, w_);
      block_ = block;
      valid_ = true;
    }
    return rates_;
  }

 private:
  WirelessConfig w_;
  ChannelModel channel_;
  Rates rates_;
  uint64_t block_ = 0;
  bool valid_ = false;
};

}  // namespace

WirelessConfig make_wireless(const RunOptions& opt, int n_devices) {
  WirelessConfig w = default_wireless_config(n_devices, opt.channel_seed, opt.tx_power_dbm);
  w.n_rx_antennas = opt.rx_antennas;
  w.n_tx_antennas = opt.tx_antennas;
  w.n_streams = opt.streams;
  w.bandwidth_hz = opt.bandwidth_mhz * 1e6;
  if (opt.snr_db) {
    // Power control: each device transmits just enough for the same mean receive SNR.
    if (!std::isfinite(*opt.snr_db) || *opt.snr_db < -50 || *opt.snr_db > 80)
      throw std::invalid_argument(fmt::format("--snr-db {} is outside -50..80", *opt.snr_db));
    for (int d = 0; d < n_devices; ++d)
      w.tx_power_dbm[static_cast<size_t>(d)] =
          watt_to_dbm(db_to_linear(*opt.snr_db) * w.noise_power_w() / w.path_gain(d));
  }
  w.validate();
  return w;
}

std::unique_ptr<AllReduce> make_allreduce(const RunOptions& opt, Transport& t, const WirelessConfig& w, int layers) {
  const int n = t.n_devices();
  if (opt.allreduce == "exact") return make_exact_allreduce(t);
  if (opt.allreduce == "digital") {
    const DigitalTopology topo = parse_topology(opt.topology);
    opt.quantizer.validate();
    LinkModel link;
    if (topo == DigitalTopology::WirelessStar) {
      auto rates = std::make_shared<BlockRates>(w);
      const double bits = opt.quantizer.bits;
      link = [rates, w, n, bits](const LinkEvent& ev) {
        CommParams p;
        p.scheme = AllReduceScheme::DigitalOfdma;
        p.wireless.bandwidth_hz = w.bandwidth_hz;
        p.wireless.uplink_bits_per_value = bits;
        p.wireless.uplink_rate_bps = rates->at(ev.block_index).uplink_bps;
        p.wireless.downlink_rate_bps = rates->at(ev.block_index).downlink_bps;
        return allreduce_time(p, n, static_cast<long long>(ev.values)).total_s();
      };
    } else {
      if (!(opt.link_gbps > 0) || opt.link_gbps > 1e4)
        throw std::invalid_argument(fmt::format("--link-gbps {} is outside (0, 10000]", opt.link_gbps));
      if (!(opt.link_latency_us >= 0)) throw std::invalid_argument("--link-latency-us must be >= 0");
      CommParams p;
      p.scheme = topo == DigitalTopology::Mesh ? AllReduceScheme::EthernetMesh : AllReduceScheme::EthernetStar;
      p.ethernet.link_bps = opt.link_gbps * 1e9;
      p.ethernet.latency_s = opt.link_latency_us * 1e-6;
      p.ethernet.bytes_per_value = static_cast<double>(opt.quantizer.wire_bytes(4096)) / 4096.0;
      link = [p, n](const LinkEvent& ev) { return allreduce_time(p, n, static_cast<long long>(ev.values)).total_s(); };
    }
    return make_digital_allreduce(t, opt.quantizer, topo, link);
  }
  if (opt.allreduce == "aircomp") {
    AirCompOptions a;
    a.wireless = w;
    a.method = parse_transceiver_method(opt.design);
    if (opt.coherence < 0) throw std::invalid_argument(fmt::format("--coherence {} must be >= 0 (0 = one token)", opt.coherence));
    if (opt.randomizations < 0 || opt.randomizations > 100000)
      throw std::invalid_argument(fmt::format("--randomizations {} is outside 0..100000", opt.randomizations));
    // A token's all-reduces take well under a millisecond of air time, far shorter than the
    // coherence time of a slowly moving device, so by default one realization spans a token.
    a.coherence_calls = opt.coherence > 0 ? opt.coherence : 2 * layers;
    a.design.n_randomizations = opt.randomizations;
    a.design.seed = opt.channel_seed;
    a.noise_seed = opt.channel_seed * 7919 + 7;
    auto rates = std::make_shared<BlockRates>(w);
    LinkModel link = [rates, w, n](const LinkEvent& ev) {
      CommParams p;
      p.scheme = AllReduceScheme::AirComp;
      p.wireless.bandwidth_hz = w.bandwidth_hz;
      p.wireless.streams = w.n_streams;
      p.wireless.downlink_rate_bps = rates->at(ev.block_index).downlink_bps;
      return allreduce_time(p, n, static_cast<long long>(ev.values)).total_s();
    };
    return make_aircomp_allreduce(t, a, link);
  }
  throw std::invalid_argument(fmt::format("--allreduce '{}' is not one of exact, digital, aircomp", opt.allreduce));
}

Session::~Session() = default;

Session::Session(const RunOptions& opt) : opt_(opt) {
  if (opt.threads < 0 || opt.threads > 256)
    throw std::invalid_argument(fmt::format("--threads {} is outside 0..256 (0 = all cores)", opt.threads));
  if (opt.devices < 1 || opt.devices > 64)
    throw std::invalid_argument(fmt::format("--devices {} is outside 1..64", opt.devices));
  if (opt.ctx < 0) throw std::invalid_argument(fmt::format("--ctx {} must be >= 0 (0 = the model's context)", opt.ctx));

#ifdef AIRTP_WITH_MPI
  if (MpiSession::launched_by_mpirun()) transport_ = make_mpi_transport(opt.mpi_timeout_s);
#endif
  if (!transport_) transport_ = make_inprocess_transport(opt.devices);

  model_ = std::make_unique<Model>(load_model(opt.model_path, opt.tokenizer_path));
  const auto& cfg = model_->config;
  const int ctx = opt.ctx == 0 ? cfg.max_seq_len : opt.ctx;
  if (ctx > cfg.max_seq_len)
    throw std::invalid_argument(fmt::format("--ctx {} is longer than the model's context of {} tokens", ctx, cfg.max_seq_len));

  const int n = transport_->n_devices();
  std::vector<double> shares;
  if (!opt.shares.empty() && !opt.shares_from.empty())
    throw std::invalid_argument("give either --shares or --shares-from, not both");
  if (!opt.shares.empty()) shares = parse_shares(opt.shares);
  if (!opt.shares_from.empty()) shares = read_shares_file(opt.shares_from);
  if (shares.empty()) shares.assign(static_cast<size_t>(n), 1.0 / n);
  if (static_cast<int>(shares.size()) != n)
    throw std::invalid_argument(fmt::format("{} shares given for {} devices", shares.size(), n));
  // ffn_down is cut by columns, so MLP units go in whole quantization blocks.
  const int unit_block = block_size(model_->weights.layers.at(0).w_down.type);
  const Plan plan = make_plan(cfg, shares, unit_block);

  wireless_ = make_wireless(opt, n);
  allreduce_ = make_allreduce(opt, *transport_, wireless_, cfg.n_layers);

  const int threads = opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<ThreadPool>(threads);
  engine_ = std::make_unique<Engine>(*model_, plan, *transport_, *allreduce_, *pool_, ctx);
}

int Session::share_token(int token) {
  std::byte buf[sizeof(int)];
  std::memcpy(buf, &token, sizeof token);
  transport_->broadcast(std::span<std::byte>(buf, sizeof buf), 0);
  std::memcpy(&token, buf, sizeof token);
  return token;
}

}  // namespace airtp
