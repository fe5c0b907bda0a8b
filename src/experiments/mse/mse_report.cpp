#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>
#include <variant>

#include "experiments/mse/mse_experiments.h"
#include "wireless/wireless_config.h"

namespace airtp {

using nlohmann::json;

namespace {

const char* axis_title(MseAxis a) {
  switch (a) {
    case MseAxis::TxPower: return "transmit power";
    case MseAxis::RxAntennas: return "receive antennas";
    case MseAxis::Devices: return "number of devices";
  }
  return "?";
}

const char* axis_label(MseAxis a) {
  switch (a) {
    case MseAxis::TxPower: return "transmit power budget per device (dBm)";
    case MseAxis::RxAntennas: return "receive antennas M at the server";
    case MseAxis::Devices: return "devices N";
  }
  return "?";
}

TransceiverMethod method_of(const std::string& s) { return parse_transceiver_method(s); }

MseSweepParams read_params(const json& j, const std::string& name, MseAxis axis) {
  ParamReader r(j, name);
  MseSweepParams p;
  p.axis = axis;
  switch (axis) {
    case MseAxis::TxPower:
      p.values = r.numbers("tx_power_dbm", -60, 60);
      p.devices = r.integer("devices", 1, kMaxDevices);
      p.rx_antennas = r.integer("rx_antennas", 1, kMaxRxAntennas);
      break;
    case MseAxis::RxAntennas:
      for (int m : r.integers("rx_antennas", 1, kMaxRxAntennas)) p.values.push_back(m);
      p.devices = r.integer("devices", 1, kMaxDevices);
      p.tx_power_dbm = r.number("tx_power_dbm", -60, 60);
      break;
    case MseAxis::Devices:
      for (int n : r.integers("devices", 1, kMaxDevices)) p.values.push_back(n);
      p.rx_antennas = r.integer("rx_antennas", 1, kMaxRxAntennas);
      p.tx_power_dbm = r.number("tx_power_dbm", -60, 60);
      break;
  }
  p.tx_antennas = r.integer("tx_antennas", 1, kMaxTxAntennas);
  p.streams = r.integer("streams", 1, kMaxStreams);
  p.realizations = r.integer("realizations", 1, 100000);
  p.randomizations = r.integer("randomizations", 0, 100000);
  p.seed = static_cast<uint64_t>(r.integer("seed", 0, 1 << 30));
  p.methods.clear();
  for (const auto& m : r.strings("methods", {"sdr", "mmse", "mf", "equal_power"})) p.methods.push_back(method_of(m));
  p.digital_bits = r.integers("digital_bits", 2, 16);
  return p;
}

ExperimentOutput make_output(const std::string& name, const MseSweepParams& p, const MseSweepResult& res) {
  ExperimentOutput out;
  const std::string xcol = mse_axis_column(p.axis);
  std::vector<std::string> cols{xcol};
  if (p.axis != MseAxis::Devices) cols.push_back("devices");
  if (p.axis != MseAxis::RxAntennas) cols.push_back("rx_antennas");
  if (p.axis != MseAxis::TxPower) cols.push_back("tx_power_dbm");
  const bool has_sdr = std::find(p.methods.begin(), p.methods.end(), TransceiverMethod::Sdr) != p.methods.end();
  for (auto m : p.methods) {
    const std::string s = to_string(m);
    for (const char* c : {"_mse", "_mse_db", "_nmse_db", "_dropped", "_ms", "_wins"}) cols.push_back(s + c);
  }
  if (has_sdr) {
    cols.push_back("sdr_bound_mse_db");
    cols.push_back("sdr_gap");
  }
  for (const auto& d : res.digital) cols.push_back(fmt::format("digital{}_nmse_db", d.bits));
  Table t(cols);
  for (const auto& pt : res.points) {
    std::vector<Table::Cell> row{pt.x};
    if (p.axis != MseAxis::Devices) row.push_back(static_cast<double>(pt.devices));
    if (p.axis != MseAxis::RxAntennas) row.push_back(static_cast<double>(pt.rx_antennas));
    if (p.axis != MseAxis::TxPower) row.push_back(pt.tx_power_dbm);
    const MethodSummary* sdr = nullptr;
    for (const auto& m : pt.study.methods) {
      if (m.method == TransceiverMethod::Sdr) sdr = &m;
      row.insert(row.end(), {m.mean_mse, to_db(m.mean_mse), to_db(aircomp_nmse(m.mean_mse, pt.devices, p.streams)),
                             m.mean_dropped, 1e3 * m.mean_seconds, static_cast<double>(m.wins)});
    }
    if (has_sdr) {
      row.push_back(to_db(sdr->mean_sdr_bound));
      row.push_back(sdr->mean_gap);
    }
    for (const auto& d : res.digital) row.emplace_back(std::in_place_type<double>, to_db(d.nmse));
    t.add_row(std::move(row));
  }

  // Key numbers: the SDR design's gain over each baseline (dB of mean MSE), per point and
  // averaged over the sweep; where SDR AirComp beats the digital quantization error.
  json gains = json::object();
  if (has_sdr) {
    for (auto m : p.methods) {
      if (m == TransceiverMethod::Sdr) continue;
      std::vector<double> g;
      for (const auto& pt : res.points) {
        double s = 0, b = 0;
        for (const auto& ms : pt.study.methods) {
          if (ms.method == TransceiverMethod::Sdr) s = ms.mean_mse;
          if (ms.method == m) b = ms.mean_mse;
        }
        g.push_back(to_db(b) - to_db(s));
      }
      const auto [mn, mx] = std::minmax_element(g.begin(), g.end());
      gains[to_string(m)] = {{"per_point_db", g},
                             {"mean_db", std::accumulate(g.begin(), g.end(), 0.0) / static_cast<double>(g.size())},
                             {"min_db", *mn},
                             {"max_db", *mx}};
    }
  }
  out.results["x"] = xcol;
  out.results["x_values"] = p.values;
  out.results["sdr_gain_over_baseline"] = gains;
  json dig = json::object();
  for (const auto& d : res.digital) {
    json below = json::array();
    for (const auto& pt : res.points)
      for (const auto& ms : pt.study.methods)
        if (ms.method == TransceiverMethod::Sdr && aircomp_nmse(ms.mean_mse, pt.devices, p.streams) < d.nmse)
          below.push_back(pt.x);
    dig[fmt::format("{}bit", d.bits)] = {{"nmse", d.nmse}, {"nmse_db", to_db(d.nmse)},
                                         {"sdr_aircomp_below_at", below}};
  }
  out.results["digital_quantization"] = dig;
  double sdr_ms = 0;
  int count = 0;
  for (const auto& pt : res.points)
    for (const auto& ms : pt.study.methods)
      if (ms.method == TransceiverMethod::Sdr) { sdr_ms += 1e3 * ms.mean_seconds; ++count; }
  if (count) out.results["sdr_mean_solve_ms"] = sdr_ms / count;
  out.tables.emplace_back(name, std::move(t));

  out.notes = {
      fmt::format("{} channel realizations per point (Rician K = 3 dB, 3GPP path loss, devices at 10-100 m drawn "
                  "from seed {}); every design is evaluated on the same realizations.",
                  p.realizations, p.seed),
      "MSE is per channel use summed over the L streams for unit-variance symbols (paper.md 1.4); mean over "
      "realizations, then dB. NMSE = MSE / (N L): error power relative to the power of the sum of N "
      "unit-variance partials.",
      "Digital reference: the all-reduce's block-32 absmax quantizer on Gaussian partials; the coded OFDMA link is "
      "taken as error-free (paper.md 2), so its NMSE does not depend on power or N. It pays in latency instead "
      "(see latency-devices). Real activations are heavier-tailed than Gaussian; ppl-snr reports the NMSE "
      "measured on the model's own all-reduces.",
      "A device in a deep fade is dropped by the ZF designs (it would cost more than its signal); it adds L to "
      "the MSE (columns *_dropped)."};

  // Figure: MSE per channel use (the paper's quantity) and NMSE against digital.
  GnuplotFigure fig;
  fig.name = name;
  fig.width = 1200;
  fig.height = 520;
  const std::string csv = name + ".csv";
  std::string left, right;
  int lt = 1;
  for (auto m : p.methods) {
    const std::string s = to_string(m);
    left += fmt::format("{}'{}' using '{}':'{}_mse_db' with linespoints lw 2 pt {} {} title '{}'", left.empty() ? "" : ", \\\n  ",
                        csv, xcol, s, 6 + lt, series_color(lt - 1), transceiver_label(m));
    right += fmt::format("{}'{}' using '{}':'{}_nmse_db' with linespoints lw 2 pt {} {} title '{}'",
                         right.empty() ? "" : ", \\\n  ", csv, xcol, s, 6 + lt, series_color(lt - 1), transceiver_label(m));
    ++lt;
  }
  if (has_sdr)
    left += fmt::format(", \\\n  '{}' using '{}':'sdr_bound_mse_db' with lines dt 2 lw 1.5 lc rgb '#444444' title "
                        "'SDR value {{/Symbol s}}^2 tr(Q*)'",
                        csv, xcol);
  for (const auto& d : res.digital)
    right += fmt::format(", \\\n  '{}' using '{}':'digital{}_nmse_db' with lines dt 2 lw 2 lc rgb '#aa0000' title "
                         "'digital {}-bit (quantization only)'",
                         csv, xcol, d.bits, d.bits);
  const std::string xlabel = axis_label(p.axis);
  const std::string fixed =
      p.axis == MseAxis::TxPower
          ? fmt::format("N = {}, M = {}, K = L = {}", p.devices, p.rx_antennas, p.streams)
          : p.axis == MseAxis::RxAntennas
                ? fmt::format("N = {}, K = L = {}, {:g} dBm", p.devices, p.streams, p.tx_power_dbm)
                : fmt::format("M = {}, K = L = {}, {:g} dBm", p.rx_antennas, p.streams, p.tx_power_dbm);
  fig.body = fmt::format(
      "set multiplot layout 1,2 title 'AirComp all-reduce error vs {} ({}, {} realizations)'\n"
      "set xlabel '{}'\nset key top right font ',9'\n"
      "set ylabel 'MSE per channel use (dB)'\nset title 'transmission MSE'\n"
      "plot {}\n"
      "set ylabel 'NMSE (dB)'\nset title 'normalised error of the all-reduced sum'\n"
      "plot {}\n"
      "unset multiplot",
      axis_title(p.axis), fixed, p.realizations, xlabel, left, right);
  out.figures.push_back(std::move(fig));
  return out;
}

ExperimentSpec make_spec(const std::string& name, MseAxis axis, const std::string& summary, json defaults,
                         json smoke) {
  ExperimentSpec s;
  s.name = name;
  s.summary = summary;
  json common = {{"tx_antennas", 4},
                 {"streams", 4},
                 {"realizations", 200},
                 {"randomizations", 100},
                 {"seed", 1},
                 {"methods", {"sdr", "mmse", "mf", "equal_power"}},
                 {"digital_bits", {8}}};
  common.update(defaults);
  s.defaults = common;
  s.smoke = smoke;
  s.smoke["realizations"] = 3;
  s.smoke["randomizations"] = 10;
  s.run = [name, axis](const json& params, const ExperimentProgress& progress) {
    const MseSweepParams p = read_params(params, name, axis);
    return make_output(name, p, run_mse_sweep(p, progress));
  };
  return s;
}

}  // namespace

ExperimentSpec mse_power_experiment() {
  return make_spec("mse-power", MseAxis::TxPower,
                   "AirComp MSE vs transmit power: SDR design vs MMSE/MF/equal-power baselines and digital 8-bit",
                   {{"tx_power_dbm", {-10, -5, 0, 5, 10, 15, 20, 25, 30}}, {"devices", 4}, {"rx_antennas", 20}},
                   {{"tx_power_dbm", {0, 20}}});
}

ExperimentSpec mse_antennas_experiment() {
  return make_spec("mse-antennas", MseAxis::RxAntennas,
                   "AirComp MSE vs receive antennas M at the server (N = 4, K = L = 4)",
                   {{"rx_antennas", {4, 8, 12, 16, 20, 24, 28, 32}}, {"devices", 4}, {"tx_power_dbm", 20}},
                   {{"rx_antennas", {8, 20}}});
}

ExperimentSpec mse_devices_experiment() {
  return make_spec("mse-devices", MseAxis::Devices, "AirComp MSE vs number of devices N (M = 20, K = L = 4)",
                   {{"devices", {1, 2, 3, 4, 5, 6, 7, 8}}, {"rx_antennas", 20}, {"tx_power_dbm", 20}},
                   {{"devices", {2, 4}}});
}

}  // namespace airtp
