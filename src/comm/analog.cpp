#include "comm/analog.h"

#include <cmath>

namespace airtp {

std::vector<PartialMoments> exchange_moments(Transport& t, std::span<const std::span<float>> parts) {
  const size_t N = static_cast<size_t>(t.n_devices());
  std::vector<double> mean(N, 0.0), var(N, 0.0);
  const auto& local = t.local_devices();
  for (size_t k = 0; k < parts.size(); ++k) {
    const PartialMoments m = partial_moments(parts[k]);
    mean[static_cast<size_t>(local[k])] = m.mean;
    var[static_cast<size_t>(local[k])] = m.variance;
  }
  t.sum(std::span<double>(mean));
  t.sum(std::span<double>(var));
  std::vector<PartialMoments> out;
  for (size_t n = 0; n < N; ++n) out.push_back({mean[n], var[n]});
  return out;
}

AllReduceTime analog_link_time(const LinkConfig& link, const LinkRates& rates, long long values, int sub_bands) {
  AllReduceTime t;
  const double L0 = static_cast<double>(values);
  const double uses_per_device = std::ceil(L0 / (link.air.reals_per_symbol * link.radio.n_streams));
  t.channel_uses = uses_per_device * sub_bands;
  t.uplink_s = t.channel_uses / link.radio.bandwidth_hz;
  t.bytes_sent_per_device = uses_per_device * link.radio.n_streams * 8;
  if (link.air.broadcast && rates.downlink_bps > 0)
    t.downlink_s = link.air.downlink_bits_per_value * L0 / rates.downlink_bps;
  t.bytes_recv_per_device = link.air.downlink_bits_per_value * L0 / 8;
  t.overhead_s = link.air.sync_overhead_s;
  return t;
}

}  // namespace airtp
