// `airtp experiment NAME`: the paper's experiments, each reproducible with one command.
//
// An experiment is a named function of a JSON parameter object. Its parameters are resolved in
// layers, each allowed to set only parameters the experiment defines (a typo is an error):
//   built-in defaults  <-  experiments/NAME.json  <-  --smoke overrides  <-  command-line flags.
// It returns tables (written as CSV), key numbers (JSON) and gnuplot figures (PNG + SVG), all
// written atomically into an output directory (results/NAME/ unless the caller says otherwise).
//
// Adding an experiment: a folder experiments/NAME/ whose header declares a function returning
// its ExperimentSpec (a sweep that computes, a report that turns the numbers into tables,
// notes and figures), and one line in experiments/experiment_registry.cpp. The CLI takes every
// parameter as a flag (--key value) and lists the experiments from the registry.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiments/experiment_output.h"
#include "experiments/gnuplot.h"
#include "util/json_reader.h"

namespace airtp {

// fraction of the experiment done in [0, 1], and a short status ("power 10 dBm").
using ExperimentProgress = std::function<void(double fraction, const std::string& status)>;

struct ExperimentOutput {
  nlohmann::json results = nlohmann::json::object();   // key numbers, stored as "results"
  std::vector<std::pair<std::string, Table>> tables;   // file stem -> table (stem.csv)
  std::vector<GnuplotFigure> figures;
  std::vector<std::string> notes;  // modelling choices and caveats a reader must know
};

struct ExperimentSpec {
  std::string name;
  std::string summary;             // one line
  nlohmann::json defaults;         // every parameter with its default value
  nlohmann::json smoke;            // overrides of --smoke: tiny sizes, a few seconds
  std::function<ExperimentOutput(const nlohmann::json& params, const ExperimentProgress& progress)> run;
};

// Every experiment (experiment_registry.cpp).
const std::vector<ExperimentSpec>& experiment_specs();
// Throws std::invalid_argument listing the known names.
const ExperimentSpec& find_experiment(std::string_view name);

// `layer` over `base`: every key of `layer` must exist in `base` with the same JSON kind
// (numbers mix integer/float freely; arrays must hold the kind of the default's elements).
// `source` names the layer in error messages ("experiments/mse-power.json", "--set").
nlohmann::json overlay_params(const nlohmann::json& base, const nlohmann::json& layer, const std::string& source);
// "key=value" -> {"key": value}; value is parsed as JSON if it can be ("3", "[1,2]", "true"),
// else taken as a string. Throws std::invalid_argument without '='.
nlohmann::json parse_param_assignment(const std::string& text);

// Typed, range-checked reads of resolved parameters; errors name the experiment and parameter.
// Every parameter has a value once resolved, so the reads take no defaults.
class ParamReader : public JsonObjectReader {
 public:
  ParamReader(const nlohmann::json& params, const std::string& experiment)
      : JsonObjectReader(params, "", "experiment " + experiment) {}
  int integer(const std::string& key, int lo, int hi) { return JsonObjectReader::integer(key, std::nullopt, lo, hi); }
  double number(const std::string& key, double lo, double hi) {
    return JsonObjectReader::number(key, std::nullopt, lo, hi);
  }
  bool boolean(const std::string& key) { return JsonObjectReader::boolean(key, std::nullopt); }
  std::string string(const std::string& key, const std::vector<std::string>& allowed = {}) {
    return JsonObjectReader::string(key, std::nullopt, allowed);
  }
  // A path: as given if it exists (or is absolute), else found among the data directories
  // (util/resources.h).
  std::string path(const std::string& key);
};

struct WrittenExperiment {
  std::vector<std::string> files;     // paths written
  std::vector<std::string> warnings;  // e.g. gnuplot missing
};

// Creates out_dir, writes every table as stem.csv, NAME.json = {"experiment", "command",
// "params", "results", "notes", "tables": {stem: rows}, "seconds", "files", "source_commit"},
// and the figures'
// .gp scripts, rendered to PNG + SVG unless plot is false (a warning when gnuplot is missing).
// The set is written into a staging directory in out_dir and moved into place when complete
// (NAME.json last); files of the previous set that the new one lacks are removed. A run killed
// meanwhile leaves the previous set as it was (its staging directory is removed by the signal
// handler, or by the next run).
WrittenExperiment write_experiment(const ExperimentSpec& spec, const nlohmann::json& params,
                                   const ExperimentOutput& out, const std::string& out_dir, bool plot,
                                   const std::string& command, double seconds);

// 10 log10(x) (NaN for x <= 0).
double to_db(double x);

}  // namespace airtp
