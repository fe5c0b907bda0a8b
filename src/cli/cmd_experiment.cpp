// airtp experiment NAME: one command per experiment of the paper. Parameters come from the
// experiment's defaults, then experiments/NAME.json, then --smoke, then the flags (every
// parameter is a flag: --realizations 3, --snr-db [0,20]); results (CSV, JSON, gnuplot
// PNG/SVG) go to results/NAME/ in the working directory unless --out says otherwise.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "cli/command.h"
#include "experiments/experiment.h"
#include "experiments/progress_bar.h"
#include "util/json_reader.h"
#include "util/resources.h"

namespace airtp::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string name;
  std::string config;  // empty: experiments/NAME.json if it exists
  std::string out;     // empty: results/NAME
  bool smoke = false, no_plot = false, quiet = false, list = false, print_params = false;
  std::vector<std::string> sets;
  std::vector<std::string> extras;  // --key value pairs naming parameters
};

json read_config(const std::string& path) {
  json j = read_json_file(path);
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: not a JSON object of experiment parameters", path));
  // Keys starting with '_' are comments.
  for (auto it = j.begin(); it != j.end();) it = it.key().rfind('_', 0) == 0 ? j.erase(it) : std::next(it);
  return j;
}

// "--snr-db 10" / "--snr-db=10" / "-t 1": a parameter of the experiment (dashes read as
// underscores); the value is JSON if it parses ("3", "[0,20]", "true"), else a string.
std::vector<std::pair<std::string, json>> parameter_flags(const std::vector<std::string>& args) {
  static const std::map<std::string, std::string> shorts = {{"-t", "threads"}, {"-m", "model"}};
  std::vector<std::pair<std::string, json>> out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], key, value;
    if (shorts.count(a)) {
      key = shorts.at(a);
    } else if (a.rfind("--", 0) == 0 && a.size() > 2) {
      key = a.substr(2);
      if (const size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
        std::replace(key.begin(), key.end(), '-', '_');
        json v = json::parse(value, nullptr, false);
        out.emplace_back(key, v.is_discarded() ? json(value) : v);
        continue;
      }
      std::replace(key.begin(), key.end(), '-', '_');
    } else {
      throw std::invalid_argument(fmt::format("unexpected argument '{}' (parameters are given as --name value)", a));
    }
    if (i + 1 >= args.size()) throw std::invalid_argument(fmt::format("{} needs a value", a));
    value = args[++i];
    json v = json::parse(value, nullptr, false);
    out.emplace_back(key, v.is_discarded() ? json(value) : v);
  }
  return out;
}

int run(const Options& o) {
  if (o.list) {
    for (const auto& s : experiment_specs()) std::printf("%-16s %s\n", s.name.c_str(), s.summary.c_str());
    return 0;
  }
  if (o.name.empty()) throw std::invalid_argument("name an experiment (airtp experiment --list shows them)");
  const ExperimentSpec& spec = find_experiment(o.name);

  std::string command = "airtp experiment " + o.name;
  json params = spec.defaults;
  std::string config_used = o.config;
  if (!o.config.empty())
    command += " --config " + o.config;
  else if (const auto found = find_data_file("experiments/" + o.name + ".json"))
    config_used = *found;
  if (!config_used.empty()) params = overlay_params(params, read_config(config_used), config_used);
  if (o.smoke) {
    params = overlay_params(params, spec.smoke, "--smoke");
    command += " --smoke";
  }
  for (const auto& [key, value] : parameter_flags(o.extras)) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    params = overlay_params(params, json{{key, value}}, flag);
    command += fmt::format(" {} {}", flag, value.is_string() ? value.get<std::string>() : value.dump());
  }
  for (const auto& s : o.sets) {
    params = overlay_params(params, parse_param_assignment(s), "--set " + s);
    command += " --set " + s;
  }
  if (o.print_params) {
    std::cout << params.dump(2) << "\n";
    return 0;
  }
  const std::string out_dir = o.out.empty() ? (fs::path("results") / o.name).string() : o.out;
  if (!o.out.empty()) command += " --out " + o.out;
  if (o.no_plot) command += " --no-plot";

  if (!o.quiet)
    std::fprintf(stderr, "experiment %s: %s\nparameters: %s%s\n", spec.name.c_str(), spec.summary.c_str(),
                 config_used.empty() ? "built-in defaults" : config_used.c_str(), o.smoke ? " + smoke sizes" : "");
  const auto t0 = std::chrono::steady_clock::now();
  ExperimentOutput out;
  {
    // The bar redraws its line with \r: only on a terminal, never into a log.
    ProgressBar bar(spec.name, stderr, !o.quiet && ::isatty(::fileno(stderr)));
    out = spec.run(params, [&](double f, const std::string& status) { bar.update(f, status); });
    bar.finish();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto written = write_experiment(spec, params, out, out_dir, !o.no_plot, command, seconds);
  for (const auto& w : written.warnings) std::fprintf(stderr, "airtp: warning: %s\n", w.c_str());
  std::printf("%s finished in %s; wrote:\n", spec.name.c_str(), format_duration(seconds).c_str());
  for (const auto& f : written.files) std::printf("  %s\n", f.c_str());
  return 0;
}

std::string experiment_list() {
  std::vector<std::string> names;
  for (const auto& s : experiment_specs()) names.push_back(s.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

const Register reg{{"experiment", "Run one of the paper's experiments: CSV + JSON + gnuplot figure",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("name", o->name, "Experiment: " + experiment_list() + " (--list)");
                      app.add_flag("--list", o->list, "List the experiments");
                      app.add_option("--config", o->config, "Parameter file (default: experiments/NAME.json if present)");
                      app.add_option("-o,--out", o->out, "Output directory (default: results/NAME)");
                      app.add_flag("--smoke", o->smoke, "Tiny sizes: seconds, for tests");
                      app.add_flag("--no-plot", o->no_plot, "Write data only, no gnuplot figures");
                      app.add_flag("-q,--quiet", o->quiet, "No progress bar (there is none when stderr is not a terminal)");
                      app.add_flag("--print-params", o->print_params, "Print the resolved parameters and exit");
                      app.add_option("--set", o->sets, "Override a parameter: KEY=VALUE (JSON value), repeatable")
                          ->expected(1)
                          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
                      app.footer(
                          "Every parameter of the experiment is also a flag: --realizations 20, --snr-db [0,10,20], "
                          "-t/--threads, -m/--model (--print-params lists them).");
                      app.allow_extras();
                      return [o, &app] {
                        o->extras = app.remaining();
                        return run(*o);
                      };
                    }}};

}  // namespace
}  // namespace airtp::cli
