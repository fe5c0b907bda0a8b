#include "experiments/experiment.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <algorithm>
#include <stdexcept>

#include "util/resources.h"

namespace airtp {

namespace fs = std::filesystem;
using nlohmann::json;

const ExperimentSpec& find_experiment(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& s : experiment_specs()) {
    if (s.name == name) return s;
    names.push_back(s.name);
  }
  throw std::invalid_argument(fmt::format("unknown experiment '{}' (known: {})", name, fmt::join(names, ", ")));
}

namespace {

std::string kind(const json& j) {
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "true or false";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

bool same_kind(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}

}  // namespace

json overlay_params(const json& base, const json& layer, const std::string& source) {
  if (!layer.is_object()) throw std::invalid_argument(fmt::format("{}: parameters must be a JSON object", source));
  json out = base;
  for (auto it = layer.begin(); it != layer.end(); ++it) {
    if (!base.contains(it.key())) {
      std::vector<std::string> keys;
      for (auto b = base.begin(); b != base.end(); ++b) keys.push_back(b.key());
      throw std::invalid_argument(
          fmt::format("{}: unknown parameter '{}' (allowed: {})", source, it.key(), fmt::join(keys, ", ")));
    }
    const json& def = base.at(it.key());
    const json& v = it.value();
    if (!same_kind(def, v))
      throw std::invalid_argument(
          fmt::format("{}: parameter '{}' = {} must be {}", source, it.key(), v.dump(), kind(def)));
    if (def.is_array() && !def.empty())
      for (const auto& e : v)
        if (!same_kind(def.front(), e))
          throw std::invalid_argument(fmt::format("{}: parameter '{}' = {}: every element must be {}", source,
                                                  it.key(), v.dump(), kind(def.front())));
    out[it.key()] = v;
  }
  return out;
}

json parse_param_assignment(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument(fmt::format("'{}' is not a parameter assignment: expected key=value", text));
  const std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  json v = json::parse(value, nullptr, false);
  if (v.is_discarded()) v = value;
  return json{{key, v}};
}

std::string ParamReader::path(const std::string& key) {
  const std::string p = string(key);
  if (p.empty()) fail(key, "\"\"", "a path");
  return resolve_data_path(p);
}

double to_db(double x) { return x > 0 ? 10 * std::log10(x) : std::nan(""); }

WrittenExperiment write_experiment(const ExperimentSpec& spec, const json& params, const ExperimentOutput& out,
                                   const std::string& out_dir, bool plot, const std::string& command,
                                   double seconds) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create output directory '{}': {}", out_dir, ec.message()));
  WrittenExperiment w;
  json tables = json::object();
  json files = json::array();
  for (const auto& [stem, table] : out.tables) {
    const std::string path = (fs::path(out_dir) / (stem + ".csv")).string();
    write_file_atomic(path, table.to_csv());
    w.files.push_back(path);
    files.push_back(stem + ".csv");
    tables[stem] = table.to_json();
  }
  std::vector<std::string> figures_done;
  for (const auto& fig : out.figures) {
    if (!plot) {  // the script only, to draw later with `gnuplot NAME.gp`
      const std::string gp = (fs::path(out_dir) / (fig.name + ".gp")).string();
      write_file_atomic(gp, gnuplot_script(fig, fig.name + ".png", fig.name + ".svg"));
      w.files.push_back(gp);
      files.push_back(fig.name + ".gp");
      continue;
    }
    const std::string err = render_figure(fig, out_dir);
    w.files.push_back((fs::path(out_dir) / (fig.name + ".gp")).string());
    files.push_back(fig.name + ".gp");
    if (!err.empty()) {
      w.warnings.push_back(err);
      continue;
    }
    for (const char* ext : {".png", ".svg"}) {
      w.files.push_back((fs::path(out_dir) / (fig.name + ext)).string());
      files.push_back(fig.name + ext);
    }
  }
  const std::string json_path = (fs::path(out_dir) / (spec.name + ".json")).string();
  files.push_back(spec.name + ".json");
  const json doc = {{"experiment", spec.name}, {"summary", spec.summary}, {"command", command},
                    {"params", params},        {"results", out.results}, {"notes", out.notes},
                    {"tables", tables},        {"seconds", seconds},     {"files", files},
                    {"source_commit", source_commit()}};
  write_file_atomic(json_path, doc.dump(2) + "\n");
  w.files.push_back(json_path);
  return w;
}

}  // namespace airtp
