#include "opt/transceiver_study.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "util/parameter_error.h"
#include "wireless/channel.h"

namespace airtp {

TransceiverStudy run_transceiver_study(const WirelessConfig& w, const std::vector<TransceiverMethod>& methods,
                                       int realizations, const TransceiverOptions& opt,
                                       const std::function<void(int, int)>& progress) {
  if (realizations < 1 || realizations > 1000000)
    throw ParameterError("realizations", fmt::format("{} is outside 1..1000000", realizations));
  if (methods.empty()) throw std::invalid_argument("no transceiver method to evaluate");
  const ChannelModel channel(w);
  TransceiverStudy st;
  st.realizations = realizations;
  for (auto m : methods) st.methods.push_back(MethodSummary{.method = m});
  for (int r = 0; r < realizations; ++r) {
    const auto real = channel.realization(static_cast<uint64_t>(r));
    TransceiverProblem prob{real.H, real.noise_power_w, {}, w.n_streams};
    for (int n = 0; n < w.n_devices(); ++n) prob.power.push_back(w.tx_power_w(n));
    double best = std::numeric_limits<double>::infinity();
    size_t best_i = 0;
    for (size_t i = 0; i < methods.size(); ++i) {
      TransceiverOptions o = opt;
      o.seed = opt.seed + static_cast<uint64_t>(r);
      const auto d = design_transceiver(prob, methods[i], o);
      auto& s = st.methods[i];
      s.mean_mse += d.mse;
      if (std::isfinite(d.sdr_bound)) {
        s.mean_sdr_bound += d.sdr_bound;
        s.mean_gap += d.mse / d.sdr_bound;
        s.max_gap = std::max(s.max_gap, d.mse / d.sdr_bound);
        s.mean_lb_gap += d.mse / d.zf_lower_bound;
      } else {
        s.mean_sdr_bound = std::numeric_limits<double>::quiet_NaN();
      }
      s.mean_seconds += d.solve_seconds;
      s.max_seconds = std::max(s.max_seconds, d.solve_seconds);
      s.mean_dropped += d.n_dropped();
      if (d.mse < best) { best = d.mse; best_i = i; }
    }
    st.methods[best_i].wins += 1;
    if (progress) progress(r + 1, realizations);
  }
  for (auto& s : st.methods) {
    s.mean_mse /= realizations;
    s.mean_sdr_bound /= realizations;
    const bool has_bound = std::isfinite(s.mean_sdr_bound);
    s.mean_gap = has_bound ? s.mean_gap / realizations : std::numeric_limits<double>::quiet_NaN();
    s.max_gap = has_bound ? s.max_gap : std::numeric_limits<double>::quiet_NaN();
    s.mean_lb_gap = has_bound ? s.mean_lb_gap / realizations : std::numeric_limits<double>::quiet_NaN();
    s.mean_seconds /= realizations;
    s.mean_dropped /= realizations;
  }
  return st;
}

nlohmann::json to_json(const TransceiverStudy& s) {
  nlohmann::json j = {{"realizations", s.realizations}, {"methods", nlohmann::json::array()}};
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const auto& m : s.methods)
    j["methods"].push_back({{"method", to_string(m.method)}, {"mean_mse", m.mean_mse},
                            {"mean_mse_db", 10 * std::log10(m.mean_mse)}, {"mean_sdr_bound", num(m.mean_sdr_bound)},
                            {"mean_gap", num(m.mean_gap)}, {"max_gap", num(m.max_gap)},
                            {"mean_lower_bound_gap", num(m.mean_lb_gap)}, {"mean_seconds", m.mean_seconds},
                            {"max_seconds", m.max_seconds}, {"mean_dropped", m.mean_dropped}, {"wins", m.wins}});
  return j;
}

}  // namespace airtp
