// Rates of the digital radio links of one deployment: each device's OFDMA uplink and the server's
// broadcast of the reduced vector. A run prices each all-reduce with the rates of the channel
// block in force (BlockLinkRates); the analytic latency model uses their mean over channel
// samples (mean_link_rates). Both go through link_rates(), so the two agree by construction.
#pragma once
#include <cstdint>
#include <vector>

#include "wireless/channel.h"
#include "wireless/wireless_config.h"

namespace airtp {

struct LinkRates {
  std::vector<double> uplink_bps;  // per device, its B/N OFDMA sub-band (empty if not needed)
  double downlink_bps = 0;         // broadcast to every device (0 if not needed)
};

struct RateNeeds {
  bool uplink = false;
  bool downlink = false;
};

// Rates of one realization of `w`'s channels (rate.h: MIMO capacity, equal power).
LinkRates link_rates(const ChannelRealization& r, const WirelessConfig& w, RateNeeds needs);

// Harmonic means over the realizations of blocks 0..samples-1, so that bits / rate is the mean
// transfer time over the channel's fading.
LinkRates mean_link_rates(const WirelessConfig& w, RateNeeds needs, int samples);

// Rates of the block in force, computed once per block: every all-reduce of a block sees the
// same channel.
class BlockLinkRates {
 public:
  BlockLinkRates(const WirelessConfig& w, RateNeeds needs) : channel_(w), needs_(needs) {}
  const LinkRates& at(uint64_t block);

 private:
  ChannelModel channel_;
  RateNeeds needs_;
  LinkRates rates_;
  uint64_t block_ = 0;
  bool valid_ = false;
};

}  // namespace airtp
