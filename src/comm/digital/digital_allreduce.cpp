#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "comm/collective.h"
#include "comm/digital/digital.h"
#include "util/parameter_error.h"

namespace airtp {

DigitalTopology parse_topology(const std::string& name) {
  if (name == "wireless") return DigitalTopology::WirelessStar;
  if (name == "mesh") return DigitalTopology::Mesh;
  if (name == "star") return DigitalTopology::Star;
  if (name == "ring") return DigitalTopology::Ring;
  throw ParameterError("topology", fmt::format("'{}' is not one of wireless, mesh, star, ring", name));
}

std::string topology_name(DigitalTopology t) {
  switch (t) {
    case DigitalTopology::WirelessStar: return "wireless";
    case DigitalTopology::Mesh: return "mesh";
    case DigitalTopology::Star: return "star";
    case DigitalTopology::Ring: return "ring";
  }
  return "?";
}

std::optional<Collective> digital_collective(DigitalTopology t) {
  switch (t) {
    case DigitalTopology::WirelessStar: return std::nullopt;
    case DigitalTopology::Mesh: return Collective::Mesh;
    case DigitalTopology::Star: return Collective::Star;
    case DigitalTopology::Ring: return Collective::Ring;
  }
  return std::nullopt;
}

namespace {

class DigitalAllReduce final : public AllReduce {
 public:
  DigitalAllReduce(Transport& t, const LinkConfig& link, const DigitalOptions& o)
      : AllReduce(t), link_(link), opt_(o), codec_(make_block_codec(o.quantizer)), f16_(make_f16_codec()),
        collective_(digital_collective(o.topology)) {
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
    begin_error(parts);
    if (collective_) {
      const auto sent0 = transport_.bytes_sent(), recv0 = transport_.bytes_received();
      collective_sum(*collective_, transport_, *codec_, *codec_, parts);
      if (model_values_ != n) {
        model_ = collective_bytes(*collective_, transport_.n_devices(), n, *codec_, *codec_);
        model_values_ = n;
      }
      // Measured: what the transport carried for this call, beside the collective's byte model.
      for (int d : transport_.local_devices()) {
        const size_t i = static_cast<size_t>(d);
        count_measured_bytes(d, transport_.bytes_sent()[i] - (i < sent0.size() ? sent0[i] : 0),
                             transport_.bytes_received()[i] - (i < recv0.size() ? recv0[i] : 0),
                             model_.sent[i], model_.received[i]);
      }
    } else {
      wireless_star(parts);
    }
    end_error(parts[0]);
    const LinkRates rates = rates_ ? rates_->at(at.block) : LinkRates{};
    stats_.link_time_s += digital_link_time(link_, opt_, rates, transport_.n_devices(), static_cast<long long>(n)).total_s();
  }

 private:
  // The access point decodes every upload and adds them (a transport sum of the decoded vectors
  // stands for the uplinks), then broadcasts the sum in fp16.
  void wireless_star(std::span<const std::span<float>> parts) {
    const size_t n = parts[0].size();
    sum_.assign(n, 0.0f);
    bytes_.resize(codec_->bytes(n));
    decoded_.resize(n);
    for (const auto& p : parts) {
      codec_->encode(p, bytes_);
      codec_->decode(bytes_, decoded_);
      for (size_t i = 0; i < n; ++i) sum_[i] += decoded_[i];
    }
    transport_.sum(std::span<float>(sum_));
    bytes_.resize(f16_->bytes(n));
    f16_->encode(sum_, bytes_);
    f16_->decode(bytes_, sum_);
    for (const auto& p : parts) std::copy(sum_.begin(), sum_.end(), p.begin());
    const AllReduceTime model = digital_link_time(link_, opt_, LinkRates{std::vector<double>(static_cast<size_t>(transport_.n_devices()), 1.0), 1.0},
                                                  transport_.n_devices(), static_cast<long long>(n));
    count_bytes_local(static_cast<uint64_t>(model.bytes_sent_per_device), static_cast<uint64_t>(model.bytes_recv_per_device));
  }

  LinkConfig link_;
  DigitalOptions opt_;
  std::unique_ptr<Codec> codec_, f16_;
  std::optional<Collective> collective_;
  std::optional<BlockLinkRates> rates_;
  CollectiveBytes model_;  // of the last vector length seen
  size_t model_values_ = 0;
  std::vector<float> sum_, decoded_;
  std::vector<std::byte> bytes_;
};

}  // namespace

std::unique_ptr<AllReduce> make_digital_allreduce(Transport& t, const LinkConfig& link, const DigitalOptions& o) {
  return std::make_unique<DigitalAllReduce>(t, link, o);
}

}  // namespace airtp
