#include "wireless/link_rates.h"

#include <fmt/format.h>

#include <stdexcept>

#include "wireless/rate.h"

namespace airtp {

LinkRates link_rates(const ChannelRealization& r, const WirelessConfig& w, RateNeeds needs) {
  LinkRates out;
  if (needs.uplink) out.uplink_bps = ofdma_uplink_rates_bps(r.H, w);
  if (needs.downlink) out.downlink_bps = broadcast_rate_bps(r.H, w);
  return out;
}

LinkRates mean_link_rates(const WirelessConfig& w, RateNeeds needs, int samples) {
  if (samples < 1)
    throw std::invalid_argument(fmt::format("channel_samples {} must be >= 1", samples));
  const ChannelModel channels(w);
  std::vector<double> inv_up(static_cast<size_t>(w.n_devices()), 0.0);
  double inv_down = 0;
  for (int b = 0; b < samples; ++b) {
    const LinkRates r = link_rates(channels.realization(static_cast<uint64_t>(b)), w, needs);
    for (size_t i = 0; i < r.uplink_bps.size(); ++i) inv_up[i] += 1.0 / r.uplink_bps[i];
    if (needs.downlink) inv_down += 1.0 / r.downlink_bps;
  }
  LinkRates out;
  if (needs.uplink)
    for (double v : inv_up) out.uplink_bps.push_back(samples / v);
  if (needs.downlink) out.downlink_bps = samples / inv_down;
  return out;
}

const LinkRates& BlockLinkRates::at(uint64_t block) {
  if (!valid_ || block != block_) {
    rates_ = link_rates(channel_.realization(block), channel_.config(), needs_);
    block_ = block;
    valid_ = true;
  }
  return rates_;
}

}  // namespace airtp
