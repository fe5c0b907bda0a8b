// airtp optimize: the short-timescale transceiver design (SDR + randomization) against the
// baselines over channel realizations of a scenario.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <iostream>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "opt/sdp.h"
#include "opt/transceiver_study.h"
#include "perfmodel/scenario.h"
#include "runtime/run_config.h"
#include "util/parameter_error.h"
#include "wireless/wireless_config.h"

namespace airtp::cli {
namespace {

struct Options {
  RunConfig run;            // its radio flags are those of generate/perplexity
  std::string scenario;     // preset name or JSON file; overrides the flags' device placement
  int realizations = 20;
  int randomizations = 100;
  std::string methods = "sdr,sdr_paper,mmse,mf,equal_power";
  bool json = false;
  std::vector<CLI::Option*> radio_flags;  // what --scenario replaces: given together, one is ignored
};

int run(const Options& o) {
  if (!o.scenario.empty())
    for (const auto* f : o.radio_flags)
      if (f->count() > 0)
        throw ParameterError("scenario", fmt::format("'{}' sets the devices and the radio; {} would be ignored (give one)",
                                                     o.scenario, f->get_name()));
  o.run.validate();
  const WirelessConfig w =
      o.scenario.empty() ? make_radio(o.run.radio, o.run.devices) : resolve_scenario(o.scenario).wireless_config();
  std::vector<TransceiverMethod> methods;
  size_t start = 0;
  while (start <= o.methods.size()) {
    const size_t comma = o.methods.find(',', start);
    methods.push_back(parse_transceiver_method(o.methods.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  TransceiverOptions to;
  if (o.randomizations < 0 || o.randomizations > SdrLimits::max_randomizations)
    throw ParameterError("randomizations",
                         fmt::format("{} is outside 0..{}", o.randomizations, SdrLimits::max_randomizations));
  to.n_randomizations = o.randomizations;
  to.seed = o.run.radio.seed;
  // A redrawn progress line only on a terminal: in a log, \r lines are noise.
  const bool progress = !o.json && ::isatty(::fileno(stderr));
  const auto st = run_transceiver_study(w, methods, o.realizations, to, [&](int r, int n) {
    if (progress) std::fprintf(stderr, "\r%d/%d realizations", r, n);
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
  if (progress) std::fprintf(stderr, "\n");
  std::printf("scenario: %d device%s, M=%d receive antennas, K=%d transmit antennas, L=%d streams, %s fading, %.0f MHz\n",
              w.n_devices(), w.n_devices() == 1 ? "" : "s", w.n_rx_antennas, w.n_tx_antennas, w.n_streams, to_string(w.fading).c_str(), w.bandwidth_hz / 1e6);
  std::printf("%d channel realizations; MSE per channel use (sum over streams, unit-variance symbols)\n\n", st.realizations);
  // sdr = SDR + randomization with the baselines as candidates and refinement; sdr_paper = the
  // paper's method alone. MSE/SDR: achieved over the relaxation's value (can be < 1: the
  // relaxation bounds an upper bound of alpha); MSE/LB: over the certified ZF lower bound.
  std::printf("%-12s %14s %10s %14s %10s %10s %10s %12s %8s %6s\n", "design", "mean MSE", "MSE dB", "SDR value",
              "MSE/SDR", "worst", "MSE/LB", "ms/design", "dropped", "wins");
  auto opt = [](double v, const char* f) { return std::isfinite(v) ? fmt::format(fmt::runtime(f), v) : std::string("-"); };
  for (const auto& m : st.methods)
    std::printf("%-12s %14.6g %10.2f %14s %10s %10s %10s %12.2f %8.2f %6d\n", to_string(m.method).c_str(), m.mean_mse,
                10 * std::log10(m.mean_mse), opt(m.mean_sdr_bound, "{:.6g}").c_str(), opt(m.mean_gap, "{:.4f}").c_str(),
                opt(m.max_gap, "{:.4f}").c_str(), opt(m.mean_lb_gap, "{:.4f}").c_str(), 1e3 * m.mean_seconds,
                m.mean_dropped, m.wins);
  // Neither column is a bound on every design: say what each one is.
  std::printf("\nSDR value = mean value of the SDR relaxation (sigma^2 tr Q*), the objective before randomization; it\n"
              "relaxes an upper bound of alpha, so designs can land below it (MSE/SDR < 1). MSE/LB = achieved MSE\n"
              "over the certified lower bound of zero-forcing designs (docs/wireless-model.md).\n");
  return 0;
}

const Register reg{{"optimize", "Design AirComp transceivers (SDR + randomization + refinement) and compare with the paper's method and baselines",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      auto& r = o->run.radio;
                      o->radio_flags = {
                          add_parameter(app, "-D,--devices", "devices", o->run.devices, "Devices", fmt::format("1..{}", kMaxDevices))->capture_default_str(),
                          add_parameter(app, "--tx-power-dbm", "tx_power_dbm", r.tx_power_dbm, "Transmit power budget per device (dBm)", "-100..60")->capture_default_str(),
                          add_parameter(app, "--snr-db", "snr_db", r.snr_db, "Power-control every device to this mean receive SNR per antenna (dB)", "-50..80"),
                          add_parameter(app, "--rx-antennas", "rx_antennas", r.rx_antennas, "Receive antennas M", fmt::format("1..{}", kMaxRxAntennas))->capture_default_str(),
                          add_parameter(app, "--tx-antennas", "tx_antennas", r.tx_antennas, "Antennas K per device", fmt::format("1..{}", kMaxTxAntennas))->capture_default_str(),
                          add_parameter(app, "--streams", "streams", r.streams, "Streams L per device", fmt::format("1..min(K, M, {}), devices x L <= {}", kMaxStreams, kMaxDeviceStreams))->capture_default_str(),
                          add_parameter(app, "--bandwidth-mhz", "bandwidth_mhz", r.bandwidth_mhz, "Bandwidth (MHz)", "> 0")->capture_default_str()};
                      add_parameter(app, "--scenario", "scenario", o->scenario, "Scenario preset name or JSON file (instead of the radio flags)");
                      add_parameter(app, "--channel-seed", "channel_seed", r.seed, "Seed of placement and channels", ">= 0")->capture_default_str();
                      add_parameter(app, "--randomizations", "randomizations", o->randomizations, "SDR Gaussian randomization candidates", fmt::format("0..{}", SdrLimits::max_randomizations))->capture_default_str();
                      add_parameter(app, "--realizations", "realizations", o->realizations, "Channel realizations", "1..1000000")->capture_default_str();
                      add_parameter(app, "--methods", "methods", o->methods, "Comma-separated designs: sdr, sdr_paper, mmse, mf, equal_power")->capture_default_str();
                      app.add_flag("--json", o->json, "Print one JSON document");
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
