#include "cli/run_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli/parameter_flags.h"
#include "comm/scheme.h"
#include "comm/transport.h"
#include "tp/plan.h"
#include "util/parameter_error.h"
#include "util/resources.h"
#include "wireless/wireless_config.h"

namespace airtp::cli {

namespace {

std::string flag_of(const std::string& option) {
  std::string f = "--" + option;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

// "exact | digital | mesh | star | aircomp" with each scheme's summary.
std::string scheme_help() {
  std::string s = "All-reduce scheme:";
  for (const auto& sc : all_schemes()) {
    s += fmt::format("\n  {}: {}", sc.name, sc.summary);
    for (const auto& p : sc.presets) s += fmt::format("\n  {}: {} with {}", p.name, sc.name, p.options.dump());
  }
  return s;
}

nlohmann::json option_value(const OptionSpec& spec, const std::string& text) {
  try {
    size_t used = 0;
    switch (spec.kind) {
      case OptionSpec::Kind::Integer: {
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
        break;
      }
      case OptionSpec::Kind::Number: {
        const double v = std::stod(text, &used);
        if (used == text.size()) return v;
        break;
      }
      case OptionSpec::Kind::String: return text;
    }
  } catch (const std::exception&) {
  }
  throw ParameterError(spec.name, fmt::format("'{}' is not {}", text,
                                              spec.kind == OptionSpec::Kind::Integer ? "an integer" : "a number"));
}

}  // namespace

std::string default_model_path() {
  const std::string rel = "models/airtp-kjv-q8_0.gguf";
  return find_data_file(rel).value_or(rel);
}

void add_scheme_options(CLI::App& app, std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> seen;  // option -> scheme that declared it first
  for (const auto& sc : all_schemes())
    for (const auto& o : sc.options) {
      if (seen.count(o.name)) continue;
      seen[o.name] = sc.name;
      const std::string flag = flag_of(o.name);
      map_parameter(o.name, flag);
      const std::string def = o.default_value.is_string() ? o.default_value.get<std::string>() : o.default_value.dump();
      const bool numeric = o.kind != OptionSpec::Kind::String;
      const std::string range = numeric ? fmt::format("{}..{}, ", o.lo, o.hi) : std::string();
      app.add_option_function<std::string>(
             flag, [&given, name = o.name](const std::string& v) { given[name] = v; },
             fmt::format("{}: {} ({}default {})", sc.name, o.help, range, def))
          ->type_name(o.kind == OptionSpec::Kind::Integer ? "INT" : numeric ? "FLOAT" : "TEXT");
    }
}

void add_run_options(CLI::App& app, RunOptions& opt) {
  auto& c = opt.config;
  c.model_path = default_model_path();
  add_parameter(app, "-m,--model", "model_path", c.model_path, "Model file: GGUF v3 or llama2.c .bin")->capture_default_str();
  add_parameter(app, "--tokenizer", "tokenizer_path", c.tokenizer_path, "llama2.c tokenizer.bin (default: next to the model)");
  add_parameter(app, "-t,--threads", "threads", c.threads, "Worker threads per process (0 = all cores)", "0..256")->capture_default_str();
  add_parameter(app, "-c,--ctx-size,--ctx", "ctx", c.ctx, "Context length in tokens (0 = the model's)", "0..the model's context")->capture_default_str();
  add_parameter(app, "-b,--batch-size", "batch", c.batch, "Most tokens per forward pass: longer prompts and chunks run in batches",
                fmt::format("1..{}", kMaxBatch))->capture_default_str();
  add_parameter(app, "-D,--devices", "devices", c.devices,
                "Simulated devices in this process (under mpirun: one device per rank)", fmt::format("1..{}", kMaxDevices))
      ->capture_default_str();
  opt.shares_flag = add_parameter(app, "--shares", "shares", opt.shares,
                                  "Fraction of each layer per device, e.g. 0.5,0.3,0.2 (default: even)");
  opt.shares_from_flag = add_parameter(app, "--shares-from", "shares_from", opt.shares_from,
                                       "Take the shares from an `airtp assign --out` JSON file");
  add_parameter(app, "-a,--allreduce", "allreduce", c.allreduce, scheme_help())->capture_default_str();
  add_scheme_options(app, opt.scheme_options);
  add_parameter(app, "--link-gbps", "link_gbps", c.link_gbps, "Digital mesh/star: wire rate per node (Gbit/s)", "(0, 10000]")->capture_default_str();
  add_parameter(app, "--link-latency-us", "link_latency_us", c.link_latency_us, "Digital mesh/star: latency per message (us)", ">= 0")->capture_default_str();
  add_parameter(app, "--tx-power-dbm", "tx_power_dbm", c.radio.tx_power_dbm, "Wireless: transmit power budget per device (dBm)", "-100..60")->capture_default_str();
  add_parameter(app, "--snr-db", "snr_db", c.radio.snr_db, "Wireless: power-control every device to this mean receive SNR per antenna (dB)", "-50..80");
  add_parameter(app, "--rx-antennas", "rx_antennas", c.radio.rx_antennas, "Wireless: receive antennas M at the server", fmt::format("1..{}", kMaxRxAntennas))->capture_default_str();
  add_parameter(app, "--tx-antennas", "tx_antennas", c.radio.tx_antennas, "Wireless: antennas K per device", fmt::format("1..{}", kMaxTxAntennas))->capture_default_str();
  add_parameter(app, "--streams", "streams", c.radio.streams, "Wireless: spatial streams L per device", fmt::format("1..min(K, M, {}), devices x L <= {}", kMaxStreams, kMaxDeviceStreams))->capture_default_str();
  add_parameter(app, "--bandwidth-mhz", "bandwidth_mhz", c.radio.bandwidth_mhz, "Wireless: bandwidth (MHz)", "> 0")->capture_default_str();
  add_parameter(app, "--coherence", "coherence", c.coherence, "Wireless: all-reduces per channel realization (0 = one token: 2 x layers)", ">= 0")->capture_default_str();
  add_parameter(app, "--channel-seed", "channel_seed", c.radio.seed, "Wireless: seed of channels, placement and noise", ">= 0")->capture_default_str();
  add_parameter(app, "--mpi-timeout", "mpi_timeout", c.mpi_timeout_s, "Seconds a collective may take before the job is aborted", "(0, 86400]")->capture_default_str();
  add_parameter(app, "--transport", "transport", opt.transport,
                "Where the devices run: inprocess (all in this process), mpi (one per MPI rank), auto (mpi when an MPI "
                "launcher started the process)")
      ->capture_default_str();
  map_parameter("measure_error", "--measure-error");
  app.add_flag_function(
      "--measure-error,!--no-measure-error", [&opt](int64_t count) { opt.measure_error = count > 0; },
      "Measure each all-reduce's error with a second, exact all-reduce (default: yes in-process, no under MPI)");
}

RunConfig to_config(const RunOptions& opt) {
  RunConfig c = opt.config;
  const bool shares_given = opt.shares_flag && opt.shares_flag->count() > 0;
  const bool shares_from_given = opt.shares_from_flag && opt.shares_from_flag->count() > 0;
  if (shares_given && opt.shares.empty()) throw ParameterError("shares", "is empty (expected e.g. 0.5,0.3,0.2)");
  if (shares_from_given && opt.shares_from.empty())
    throw ParameterError("shares_from", "is empty (expected a file written by `airtp assign --out`)");
  if (!opt.shares.empty() && !opt.shares_from.empty())
    throw ParameterError("shares", "and --shares-from are both given; give one");
  if (!opt.shares.empty()) c.shares = parse_shares(opt.shares);
  if (!opt.shares_from.empty()) c.shares = read_shares_file(opt.shares_from);
  const SchemeChoice scheme = choose_scheme(c.allreduce);
  for (const auto& kv : opt.scheme_options) {
    const std::string& name = kv.first;  // not a structured binding: clang 14 cannot capture one
    const std::string& text = kv.second;
    const auto& specs = scheme.scheme->options;
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& o) { return o.name == name; });
    if (spec == specs.end())
      throw ParameterError(name, fmt::format("is not an option of the {} all-reduce (--allreduce {})",
                                             scheme.scheme->name, c.allreduce));
    c.allreduce_options[name] = option_value(*spec, text);
  }
  if (opt.transport == "mpi" || (opt.transport == "auto" && mpi_launcher_detected())) c.transport = TransportKind::Mpi;
  else if (opt.transport != "inprocess" && opt.transport != "auto")
    throw ParameterError("transport", fmt::format("'{}' is not one of auto, inprocess, mpi", opt.transport));
  c.measure_error = opt.measure_error;
  return c;
}

std::unique_ptr<Session> open_session(const RunOptions& opt) {
  const RunConfig c = to_config(opt);
  try {
    return std::make_unique<Session>(c);
  } catch (const ParameterError& e) {
    if (e.parameter() == "shares" && !opt.shares_from.empty())
      throw ParameterError("shares_from", fmt::format("'{}': shares {}", opt.shares_from, e.problem()));
    throw;
  }
}

std::vector<std::string> run_warnings(Session& s) {
  std::vector<std::string> w;
  const auto stats = s.allreduce().scheme_stats();
  const double designs = scheme_stat(stats, "designs"), dropped = scheme_stat(stats, "dropped_devices");
  const int n = s.transport().n_devices();
  if (designs > 0 && dropped >= designs * n)
    w.push_back(fmt::format(
        "every device was dropped (deep fade) in all {} channel blocks: no signal reached the server, so the "
        "all-reduced values and the output are noise; raise --tx-power-dbm or --snr-db",
        designs));
  // A design that keeps every device can still deliver nothing but noise (at -100 dBm the best
  // candidate is equal power, which never drops anyone): judge by the measured error too.
  const AllReduceStats& a = s.allreduce().stats();
  const double nmse = a.nmse();
  if (w.empty() && a.error_measured && nmse >= 0.5)
    w.push_back(fmt::format(
        "the all-reduce error is {:.1f} dB of the signal (NMSE {:.3g}): the all-reduced values and the output are "
        "noise; raise --tx-power-dbm or --snr-db",
        10 * std::log10(nmse), nmse));
  return w;
}

std::string transport_note(const RunOptions& opt) {
  if (opt.transport != "auto") return "--transport " + opt.transport;
  return mpi_launcher_detected() ? "--transport auto: started by an MPI launcher"
                                 : "--transport auto: not started by an MPI launcher";
}

}  // namespace airtp::cli
