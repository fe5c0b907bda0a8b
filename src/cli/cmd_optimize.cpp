// airtp optimize: the short-timescale transceiver design (SDR + randomization) against the
// baselines over channel realizations of a scenario.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "perfmodel/scenario.h"
#include "runtime/session.h"
#include "opt/transceiver_study.h"

namespace airtp::cli {
namespace {

struct Options {
  RunOptions run;           // the wireless flags are shared with generate/perplexity
  std::string scenario;     // preset name or JSON file; overrides the flags' device placement
  int realizations = 20;
  std::string methods = "sdr,mmse,mf,equal_power";
  bool json = false;
};

int run(const Options& o) {
  WirelessConfig w = o.scenario.empty() ? make_wireless(o.run, o.run.devices) : resolve_scenario(o.scenario).wireless_config();
  std::vector<TransceiverMethod> methods;
  size_t start = 0;
  while (start <= o.methods.size()) {
    const size_t comma = o.methods.find(',', start);
    methods.push_back(parse_transceiver_method(o.methods.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  TransceiverOptions to;
  to.n_randomizations = o.run.randomizations;
  to.seed = o.run.channel_seed;
  const auto st = run_transceiver_study(w, methods, o.realizations, to, [&](int r, int n) {
    if (!o.json) std::fprintf(stderr, "\r%d/%d realizations", r, n);
  });
  if (o.json) {
    auto j = to_json(st);
    j["devices"] = w.n_devices();
    j["rx_antennas"] = w.n_rx_antennas;
    j["tx_antennas"] = w.n_tx_antennas;
    j["streams"] = w.n_streams;
    j["tx_power_dbm"] = w.tx_power_dbm;
    j["distances_m"] = w.distances_m;
    j["noise_power_w"] = w.noise_power_w();
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::fprintf(stderr, "\n");
  std::printf("scenario: %d devices, M=%d receive antennas, K=%d transmit antennas, L=%d streams, %s fading, %.0f MHz\n",
              w.n_devices(), w.n_rx_antennas, w.n_tx_antennas, w.n_streams, to_string(w.fading).c_str(), w.bandwidth_hz / 1e6);
  std::printf("%d channel realizations; MSE per channel use (sum over streams, unit-variance symbols)\n\n", st.realizations);
  std::printf("%-12s %14s %10s %14s %10s %12s %8s %6s\n", "design", "mean MSE", "MSE dB", "SDR bound", "MSE/bound",
              "ms/design", "dropped", "wins");
  for (const auto& m : st.methods)
    std::printf("%-12s %14.6g %10.2f %14s %10s %12.2f %8.2f %6d\n", to_string(m.method).c_str(), m.mean_mse,
                10 * std::log10(m.mean_mse), std::isfinite(m.mean_sdr_bound) ? fmt::format("{:.6g}", m.mean_sdr_bound).c_str() : "-",
                std::isfinite(m.mean_gap) ? fmt::format("{:.4f}", m.mean_gap).c_str() : "-", 1e3 * m.mean_seconds,
                m.mean_dropped, m.wins);
  return 0;
}

const Register reg{{"optimize", "Design AirComp transceivers (SDR + Gaussian randomization) and compare with baselines",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("-n,--devices", o->run.devices, "Devices")->capture_default_str();
                      app.add_option("--scenario", o->scenario, "Scenario preset name or JSON file (instead of the flags)");
                      app.add_option("--tx-power-dbm", o->run.tx_power_dbm, "Transmit power budget per device (dBm)")->capture_default_str();
                      app.add_option("--snr-db", o->run.snr_db, "Power-control every device to this mean receive SNR per antenna (dB)");
                      app.add_option("--rx-antennas", o->run.rx_antennas, "Receive antennas M")->capture_default_str();
                      app.add_option("--tx-antennas", o->run.tx_antennas, "Antennas K per device")->capture_default_str();
                      app.add_option("--streams", o->run.streams, "Streams L per device")->capture_default_str();
                      app.add_option("--bandwidth-mhz", o->run.bandwidth_mhz, "Bandwidth (MHz)")->capture_default_str();
                      app.add_option("--channel-seed", o->run.channel_seed, "Seed of placement and channels")->capture_default_str();
                      app.add_option("--randomizations", o->run.randomizations, "SDR Gaussian randomization candidates")->capture_default_str();
                      app.add_option("-r,--realizations", o->realizations, "Channel realizations")->capture_default_str();
                      app.add_option("--methods", o->methods, "Comma-separated designs: sdr, mmse, mf, equal_power")->capture_default_str();
                      app.add_flag("--json", o->json, "Print one JSON document");
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
