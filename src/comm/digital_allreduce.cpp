#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "comm/schemes.h"

namespace airtp {

DigitalTopology parse_topology(const std::string& name) {
  if (name == "wireless" || name == "ofdma") return DigitalTopology::WirelessStar;
  if (name == "mesh") return DigitalTopology::Mesh;
  if (name == "star") return DigitalTopology::Star;
  throw std::invalid_argument(fmt::format("--topology '{}' is not one of wireless, mesh, star", name));
}

std::string topology_name(DigitalTopology t) {
  switch (t) {
    case DigitalTopology::WirelessStar: return "wireless";
    case DigitalTopology::Mesh: return "mesh";
    case DigitalTopology::Star: return "star";
  }
  return "?";
}

namespace {

class DigitalAllReduce final : public AllReduce {
 public:
  DigitalAllReduce(Transport& t, BlockQuantizer q, DigitalTopology topo, LinkModel link)
      : AllReduce(t), q_(q), topo_(topo), link_(std::move(link)) {
    q_.validate();
  }
  std::string name() const override {
    return fmt::format("digital-{}bit-{}", q_.bits, topology_name(topo_));
  }

 protected:
  void do_reduce(std::span<const std::span<float>> parts) override {
    const size_t n = parts[0].size();
    exact_.assign(n, 0.0f);
    sum_.assign(n, 0.0f);
    for (const auto& p : parts) {
      for (size_t i = 0; i < n; ++i) exact_[i] += p[i];
      q_.round_trip(p);  // what this device's transmitter really sends
      for (size_t i = 0; i < n; ++i) sum_[i] += p[i];
    }
    transport_.sum(std::span<float>(sum_));
    transport_.sum(std::span<float>(exact_));
    double err = 0, ref = 0;
    for (size_t i = 0; i < n; ++i) {
      const double e = static_cast<double>(sum_[i]) - exact_[i];
      err += e * e;
      ref += static_cast<double>(exact_[i]) * exact_[i];
    }
    stats_.err_sq += err;
    stats_.ref_sq += ref;
    for (const auto& p : parts) std::copy(sum_.begin(), sum_.end(), p.begin());
    account(n);
  }

 private:
  void account(size_t n) {
    const int N = transport_.n_devices();
    const uint64_t payload = q_.wire_bytes(n);
    for (int d = 0; d < N; ++d) {
      uint64_t sent = 0, recv = 0;
      switch (topo_) {
        case DigitalTopology::WirelessStar:  // upload own vector, receive the broadcast sum (fp16)
          sent = N > 1 ? payload : 0;
          recv = N > 1 ? 2 * n : 0;
          break;
        case DigitalTopology::Mesh:
          sent = recv = static_cast<uint64_t>(N - 1) * payload;
          break;
        case DigitalTopology::Star:
          if (d == 0) sent = recv = static_cast<uint64_t>(N - 1) * payload;
          else sent = recv = N > 1 ? payload : 0;
          break;
      }
      stats_.bytes_sent[static_cast<size_t>(d)] += sent;
      stats_.bytes_recv[static_cast<size_t>(d)] += recv;
    }
    if (link_) stats_.link_time_s += link_(LinkEvent{.values = n, .payload_bytes = payload, .block_index = stats_.calls});
  }

  BlockQuantizer q_;
  DigitalTopology topo_;
  LinkModel link_;
  std::vector<float> exact_, sum_;
};

}  // namespace

std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, BlockQuantizer q, DigitalTopology topo,
                                                  LinkModel link) {
  return std::make_unique<DigitalAllReduce>(t, q, topo, std::move(link));
}

}  // namespace airtp
