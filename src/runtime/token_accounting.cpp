#include "runtime/token_accounting.h"

#include <fmt/format.h>

#include <numeric>

namespace airtp {

TokenAccounting account(const EngineStats& e, const AllReduceStats& a, long long tokens) {
  TokenAccounting t;
  t.tokens = tokens;
  const double per = tokens > 0 ? 1.0 / static_cast<double>(tokens) : 0.0;
  for (double s : e.device_compute_s) t.compute_ms_per_device.push_back(1e3 * s * per);
  t.parallel_compute_ms = 1e3 * e.parallel_compute_s * per;
  t.sync_ms = 1e3 * a.machinery_time_s * per;
  t.link_ms = 1e3 * a.link_time_s * per;
  for (auto b : a.bytes_sent) t.sent_bytes_per_device.push_back(static_cast<double>(b) * per);
  for (auto b : a.bytes_recv) t.recv_bytes_per_device.push_back(static_cast<double>(b) * per);
  for (auto b : a.model_bytes_sent) t.model_sent_bytes_per_device.push_back(static_cast<double>(b) * per);
  for (auto b : a.model_bytes_recv) t.model_recv_bytes_per_device.push_back(static_cast<double>(b) * per);
  t.bytes_measured = a.bytes_measured;
  t.allreduces = static_cast<double>(a.calls) * per;
  t.nmse_measured = a.error_measured || a.calls == 0;
  t.nmse = a.nmse();
  t.wall_ms = 1e3 * e.wall_s * per;
  return t;
}

nlohmann::json to_json(const TokenAccounting& t) {
  return {{"tokens", t.tokens},
          {"compute_ms_per_device", t.compute_ms_per_device},
          {"parallel_compute_ms", t.parallel_compute_ms},
          {"sync_ms", t.sync_ms},
          {"link_ms", t.link_ms},
          {"simulated_ms", t.simulated_ms()},
          {"wall_ms", t.wall_ms},
          {"sent_bytes_per_device", t.sent_bytes_per_device},
          {"recv_bytes_per_device", t.recv_bytes_per_device},
          {"bytes_measured", t.bytes_measured},
          {"model_sent_bytes_per_device", t.model_sent_bytes_per_device},
          {"model_recv_bytes_per_device", t.model_recv_bytes_per_device},
          {"allreduces", t.allreduces},
          {"allreduce_nmse", t.nmse_measured ? nlohmann::json(t.nmse) : nlohmann::json(nullptr)}};
}

std::string to_text(const TokenAccounting& t) {
  std::string s = fmt::format(
      "  per token: compute {:.3f} ms (slowest device per step), sync {:.3f} ms (measured), "
      "link {:.3f} ms (modelled), wall {:.3f} ms; {:.3g} all-reduces, NMSE {}\n",
      t.parallel_compute_ms, t.sync_ms, t.link_ms, t.wall_ms, t.allreduces,
      t.nmse_measured ? fmt::format("{:.3g}", t.nmse) : std::string("not measured"));
  for (size_t d = 0; d < t.compute_ms_per_device.size(); ++d) {
    s += fmt::format("    device {}: compute {:.3f} ms  sent {:.2f} kB  recv {:.2f} kB", d, t.compute_ms_per_device[d],
                     t.sent_bytes_per_device[d] / 1e3, t.recv_bytes_per_device[d] / 1e3);
    // Bytes counted at the transport are shown beside the link model's prediction; the radio
    // schemes' bytes are the model's own (channel uses), nothing to compare.
    if (t.bytes_measured && d < t.model_sent_bytes_per_device.size())
      s += fmt::format(" (measured; model {:.2f} / {:.2f} kB)", t.model_sent_bytes_per_device[d] / 1e3,
                       t.model_recv_bytes_per_device[d] / 1e3);
    s += "\n";
  }
  return s;
}

}  // namespace airtp
