// airtp experiment NAME: one command per experiment of the paper. Parameters come from the
// experiment's defaults, then experiments/NAME.json, then --smoke, then the flags; results (CSV,
// JSON, gnuplot PNG/SVG) go to docs/results/NAME/ unless --out says otherwise.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "experiments/experiment.h"

namespace airtp::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string name;
  std::string config;  // empty: experiments/NAME.json if it exists
  std::string out;     // empty: docs/results/NAME
  bool smoke = false, no_plot = false, quiet = false, list = false, print_params = false;
  std::vector<std::string> sets;
  // Shortcuts for --set KEY=VALUE of common parameters (an error if NAME has no such parameter).
  std::optional<int> realizations, randomizations, chunks, ctx, coherence, threads, seed, iterations, eval_samples;
  std::optional<std::string> model, text, scenario;
};

// Where a relative path of the source tree is: the working directory if it is there, else the
// source tree the binary was built from.
fs::path in_tree(const fs::path& rel) {
  if (fs::exists(rel)) return rel;
  return fs::path(AIRTP_SOURCE_DIR) / rel;
}

json read_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(fmt::format("cannot open experiment config '{}'", path));
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::invalid_argument(fmt::format("{}: not a JSON object of experiment parameters", path));
  // Keys starting with '_' are comments.
  for (auto it = j.begin(); it != j.end();) it = it.key().rfind('_', 0) == 0 ? j.erase(it) : std::next(it);
  return j;
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
  std::string config_used;
  if (!o.config.empty()) {
    config_used = o.config;
    command += " --config " + o.config;
  } else if (const fs::path p = in_tree(fs::path("experiments") / (o.name + ".json")); fs::exists(p)) {
    config_used = p.string();
  }
  if (!config_used.empty()) params = overlay_params(params, read_config(config_used), config_used);
  if (o.smoke) {
    params = overlay_params(params, spec.smoke, "--smoke");
    command += " --smoke";
  }
  auto flag = [&](const char* flag_name, const char* key, const json& v) {
    params = overlay_params(params, json{{key, v}}, flag_name);
    command += fmt::format(" {} {}", flag_name, v.is_string() ? v.get<std::string>() : v.dump());
  };
  if (o.realizations) flag("--realizations", "realizations", *o.realizations);
  if (o.randomizations) flag("--randomizations", "randomizations", *o.randomizations);
  if (o.chunks) flag("--chunks", "chunks", *o.chunks);
  if (o.ctx) flag("--ctx", "ctx", *o.ctx);
  if (o.coherence) flag("--coherence", "coherence", *o.coherence);
  if (o.threads) flag("--threads", "threads", *o.threads);
  if (o.seed) flag("--seed", "seed", *o.seed);
  if (o.iterations) flag("--iterations", "iterations", *o.iterations);
  if (o.eval_samples) flag("--eval-samples", "eval_samples", *o.eval_samples);
  if (o.model) flag("--model", "model", *o.model);
  if (o.text) flag("--text", "text", *o.text);
  if (o.scenario) flag("--scenario", "scenario", *o.scenario);
  for (const auto& s : o.sets) {
    params = overlay_params(params, parse_param_assignment(s), "--set " + s);
    command += " --set " + s;
  }
  if (o.print_params) {
    std::cout << params.dump(2) << "\n";
    return 0;
  }
  const std::string out_dir =
      o.out.empty() ? (fs::path(AIRTP_SOURCE_DIR) / "docs" / "results" / o.name).string() : o.out;
  if (!o.out.empty()) command += " --out " + o.out;
  if (o.no_plot) command += " --no-plot";

  if (!o.quiet)
    std::fprintf(stderr, "experiment %s: %s\nparameters: %s%s\n", spec.name.c_str(), spec.summary.c_str(),
                 config_used.empty() ? "built-in defaults" : config_used.c_str(), o.smoke ? " + smoke sizes" : "");
  const auto t0 = std::chrono::steady_clock::now();
  ExperimentOutput out;
  {
    ProgressBar bar(spec.name, stderr, !o.quiet);
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

const Register reg{{"experiment", "Run one of the paper's experiments: CSV + JSON + gnuplot figure",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("name", o->name,
                                     "Experiment: mse-power, mse-antennas, mse-devices, latency-devices, ppl-snr, "
                                     "assignment (--list)");
                      app.add_flag("--list", o->list, "List the experiments");
                      app.add_option("--config", o->config, "Parameter file (default: experiments/NAME.json if present)");
                      app.add_option("-o,--out", o->out, "Output directory (default: docs/results/NAME)");
                      app.add_flag("--smoke", o->smoke, "Tiny sizes: seconds, for tests");
                      app.add_flag("--no-plot", o->no_plot, "Write data only, no gnuplot figures");
                      app.add_flag("-q,--quiet", o->quiet, "No progress bar");
                      app.add_flag("--print-params", o->print_params, "Print the resolved parameters and exit");
                      app.add_option("--set", o->sets, "Override a parameter: KEY=VALUE (JSON value), repeatable")
                          ->expected(1)
                          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
                      app.add_option("--realizations", o->realizations, "Channel realizations per point");
                      app.add_option("--randomizations", o->randomizations, "SDR Gaussian randomization candidates");
                      app.add_option("--chunks", o->chunks, "ppl-snr: chunks of text scored");
                      app.add_option("--ctx", o->ctx, "ppl-snr: tokens per chunk");
                      app.add_option("--coherence", o->coherence, "ppl-snr: all-reduces per channel realization");
                      app.add_option("-t,--threads", o->threads, "Worker threads (0 = all cores)");
                      app.add_option("--seed", o->seed, "Seed of placement and channels");
                      app.add_option("--iterations", o->iterations, "assignment: SSCA iterations");
                      app.add_option("--eval-samples", o->eval_samples, "assignment: evaluation realizations");
                      app.add_option("-m,--model", o->model, "Model file (latency-devices, ppl-snr)");
                      app.add_option("--text", o->text, "ppl-snr: held-out text");
                      app.add_option("--scenario", o->scenario, "assignment: scenario preset or JSON file");
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
