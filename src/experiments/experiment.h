// `airtp experiment NAME`: the paper's experiments, each reproducible with one command.
//
// An experiment is a named function of a JSON parameter object. Its parameters are resolved in
// layers, each allowed to set only parameters the experiment defines (a typo is an error):
//   built-in defaults  <-  experiments/NAME.json  <-  --smoke overrides  <-  command-line flags.
// It returns tables (written as CSV), key numbers (JSON) and gnuplot figures (PNG + SVG), all
// written atomically into an output directory (default docs/results/NAME/).
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiments/experiment_output.h"
#include "experiments/gnuplot.h"

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
class ParamReader {
 public:
  ParamReader(const nlohmann::json& params, std::string experiment);
  int integer(const std::string& key, int lo, int hi) const;
  double number(const std::string& key, double lo, double hi) const;
  bool boolean(const std::string& key) const;
  std::string string(const std::string& key, const std::vector<std::string>& allowed = {}) const;
  std::vector<double> numbers(const std::string& key, double lo, double hi) const;  // non-empty
  std::vector<int> integers(const std::string& key, int lo, int hi) const;          // non-empty
  std::vector<std::string> strings(const std::string& key, const std::vector<std::string>& allowed = {}) const;
  // A path: as given if it exists (or is absolute), else relative to the source tree.
  std::string path(const std::string& key) const;

 private:
  const nlohmann::json& at(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;
  const nlohmann::json& params_;
  std::string experiment_;
};

struct WrittenExperiment {
  std::vector<std::string> files;     // paths written
  std::vector<std::string> warnings;  // e.g. gnuplot missing
};

// Creates out_dir, writes every table as stem.csv, NAME.json = {"experiment", "command",
// "params", "results", "notes", "tables": {stem: rows}, "seconds", "files", "source_commit"},
// and the figures'
// .gp scripts, rendered to PNG + SVG unless plot is false (a warning when gnuplot is missing).
// Every file atomically.
WrittenExperiment write_experiment(const ExperimentSpec& spec, const nlohmann::json& params,
                                   const ExperimentOutput& out, const std::string& out_dir, bool plot,
                                   const std::string& command, double seconds);

// Common pieces of the experiment implementations.
// `git rev-parse --short HEAD` of the source tree the binary was built from ("" if unknown).
std::string source_commit();
// 10 log10(x) (NaN for x <= 0).
double to_db(double x);

}  // namespace airtp
