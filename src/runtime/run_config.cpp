#include "runtime/run_config.h"

#include <fmt/format.h>

#include <cmath>

#include "util/parameter_error.h"
#include "wireless/wireless_config.h"

namespace airtp {

void RunConfig::validate() const {
  if (threads < 0 || threads > 256)
    throw ParameterError("threads", fmt::format("{} is outside 0..256 (0 = all cores)", threads));
  if (devices < 1 || devices > kMaxDevices)
    throw ParameterError("devices", fmt::format("{} is outside 1..{}", devices, kMaxDevices));
  if (ctx < 0) throw ParameterError("ctx", fmt::format("{} must be >= 0 (0 = the model's context)", ctx));
  if (batch < 1 || batch > kMaxBatch) throw ParameterError("batch", fmt::format("{} is outside 1..{}", batch, kMaxBatch));
  if (coherence < 0) throw ParameterError("coherence", fmt::format("{} must be >= 0 (0 = one token)", coherence));
  if (!(link_gbps > 0) || link_gbps > 1e4)
    throw ParameterError("link_gbps", fmt::format("{} is outside (0, 10000]", link_gbps));
  if (!(link_latency_us >= 0) || !std::isfinite(link_latency_us))
    throw ParameterError("link_latency_us", fmt::format("{} must be >= 0", link_latency_us));
  if (!(mpi_timeout_s > 0) || mpi_timeout_s > 86400)
    throw ParameterError("mpi_timeout", fmt::format("{} is outside (0, 86400] seconds", mpi_timeout_s));
  const auto& r = radio;
  if (!std::isfinite(r.tx_power_dbm) || r.tx_power_dbm < -100 || r.tx_power_dbm > 60)
    throw ParameterError("tx_power_dbm", fmt::format("{} is outside -100..60", r.tx_power_dbm));
  if (r.snr_db && (!std::isfinite(*r.snr_db) || *r.snr_db < -50 || *r.snr_db > 80))
    throw ParameterError("snr_db", fmt::format("{} is outside -50..80", *r.snr_db));
  if (r.rx_antennas < 1 || r.rx_antennas > kMaxRxAntennas)
    throw ParameterError("rx_antennas", fmt::format("{} is outside 1..{}", r.rx_antennas, kMaxRxAntennas));
  if (r.tx_antennas < 1 || r.tx_antennas > kMaxTxAntennas)
    throw ParameterError("tx_antennas", fmt::format("{} is outside 1..{}", r.tx_antennas, kMaxTxAntennas));
  if (r.streams < 1 || r.streams > r.tx_antennas || r.streams > r.rx_antennas || r.streams > kMaxStreams)
    throw ParameterError("streams", fmt::format("{} is outside 1..min(tx_antennas {}, rx_antennas {}, {})", r.streams,
                                                r.tx_antennas, r.rx_antennas, kMaxStreams));
  if (devices * r.streams > kMaxDeviceStreams)
    throw ParameterError("streams", fmt::format("{} x {} devices is more than {} (devices x streams)", r.streams, devices,
                                                kMaxDeviceStreams));
  if (!(r.bandwidth_mhz > 0) || !std::isfinite(r.bandwidth_mhz))
    throw ParameterError("bandwidth_mhz", fmt::format("{} must be > 0", r.bandwidth_mhz));
}

WirelessConfig make_radio(const RadioSettings& r, int n_devices) {
  WirelessConfig w = default_wireless_config(n_devices, r.seed, r.tx_power_dbm);
  w.n_rx_antennas = r.rx_antennas;
  w.n_tx_antennas = r.tx_antennas;
  w.n_streams = r.streams;
  w.bandwidth_hz = r.bandwidth_mhz * 1e6;
  if (r.snr_db) {
    // Power control: each device transmits just enough for the same mean receive SNR.
    for (int d = 0; d < n_devices; ++d)
      w.tx_power_dbm[static_cast<size_t>(d)] =
          watt_to_dbm(db_to_linear(*r.snr_db) * w.noise_power_w() / w.path_gain(d));
  }
  w.validate();
  return w;
}

LinkConfig make_link_config(const RunConfig& c, int n_devices) {
  LinkConfig l;
  l.radio = make_radio(c.radio, n_devices);
  l.wire.bps = c.link_gbps * 1e9;
  l.wire.latency_s = c.link_latency_us * 1e-6;
  return l;
}

}  // namespace airtp
