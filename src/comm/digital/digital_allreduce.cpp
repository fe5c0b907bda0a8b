#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "comm/digital/digital.h"
#include "util/parameter_error.h"

namespace airtp {

DigitalTopology parse_topology(const std::string& name) {
  if (name == "wireless") return DigitalTopology::WirelessStar;
  if (name == "mesh") return DigitalTopology::Mesh;
  if (name == "star") return DigitalTopology::Star;
  throw ParameterError("topology", fmt::format("'{}' is not one of wireless, mesh, star", name));
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
  DigitalAllReduce(Transport& t, const LinkConfig& link, const DigitalOptions& o)
      : AllReduce(t), link_(link), opt_(o) {
    opt_.quantizer.validate();
    const RateNeeds needs = digital_rate_needs(link, opt_);
    if (needs.uplink || needs.downlink) rates_.emplace(link.radio, needs);
  }
  std::string name() const override {
    return fmt::format("digital-{}bit-{}", opt_.quantizer.bits, topology_name(opt_.topology));
  }

 protected:
  void do_reduce(std::span<const std::span<float>> parts, const SyncContext& at) override {
    if (transport_.n_devices() == 1) return;  // one device holds the whole sum: nothing is sent
    const size_t n = parts[0].size();
    const auto& exact = exact_sum(parts);
    sum_.assign(n, 0.0f);
    for (const auto& p : parts) {
      opt_.quantizer.round_trip(p);  // what this device's transmitter really sends
      for (size_t i = 0; i < n; ++i) sum_[i] += p[i];
    }
    transport_.sum(std::span<float>(sum_));
    add_error(sum_, exact);
    for (const auto& p : parts) std::copy(sum_.begin(), sum_.end(), p.begin());
    account(n, at);
  }

 private:
  // Bytes per device follow the topology exactly; the time is the scheme's link model with the
  // radio rates of the channel block in force.
  void account(size_t n, const SyncContext& at) {
    const int N = transport_.n_devices();
    const uint64_t payload = opt_.quantizer.wire_bytes(n);
    for (int d = 0; d < N; ++d) {
      uint64_t sent = 0, recv = 0;
      switch (opt_.topology) {
        case DigitalTopology::WirelessStar:  // upload own vector, receive the broadcast sum (fp16)
          sent = payload;
          recv = 2 * n;
          break;
        case DigitalTopology::Mesh:
          sent = recv = static_cast<uint64_t>(N - 1) * payload;
          break;
        case DigitalTopology::Star:
          sent = recv = d == 0 ? static_cast<uint64_t>(N - 1) * payload : payload;
          break;
      }
      stats_.bytes_sent[static_cast<size_t>(d)] += sent;
      stats_.bytes_recv[static_cast<size_t>(d)] += recv;
    }
    const LinkRates rates = rates_ ? rates_->at(at.block) : LinkRates{};
    stats_.link_time_s += digital_link_time(link_, opt_, rates, N, static_cast<long long>(n)).total_s();
  }

  LinkConfig link_;
  DigitalOptions opt_;
  std::optional<BlockLinkRates> rates_;
  std::vector<float> sum_;
};

}  // namespace

std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, const LinkConfig& link, const DigitalOptions& o) {
  return std::make_unique<DigitalAllReduce>(t, link, o);
}

}  // namespace airtp
