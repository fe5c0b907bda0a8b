#include "experiments/experiment.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <stdexcept>

#include "experiments/assignment/assignment_experiment.h"
#include "experiments/latency_devices/latency_devices.h"
#include "experiments/mse/mse_experiments.h"
#include "experiments/ppl_snr/ppl_snr.h"

namespace airtp {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<ExperimentSpec>& experiment_specs() {
  static const std::vector<ExperimentSpec> specs = [] {
    std::vector<ExperimentSpec> v = mse_experiment_specs();
    v.push_back(latency_experiment_spec());
    v.push_back(ppl_experiment_spec());
    v.push_back(assignment_experiment_spec());
    return v;
  }();
  return specs;
}

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
    throw std::invalid_argument(fmt::format("--set '{}': expected key=value", text));
  const std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  json v = json::parse(value, nullptr, false);
  if (v.is_discarded()) v = value;
  return json{{key, v}};
}

ParamReader::ParamReader(const json& params, std::string experiment)
    : params_(params), experiment_(std::move(experiment)) {}

void ParamReader::fail(const std::string& key, const std::string& why) const {
  throw std::invalid_argument(fmt::format("experiment {}: parameter '{}' {}", experiment_, key, why));
}

const json& ParamReader::at(const std::string& key) const {
  if (!params_.contains(key)) fail(key, "is missing");
  return params_.at(key);
}

int ParamReader::integer(const std::string& key, int lo, int hi) const {
  const json& v = at(key);
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
    fail(key, fmt::format("= {} must be an integer in {}..{}", v.dump(), lo, hi));
  return v.get<int>();
}

double ParamReader::number(const std::string& key, double lo, double hi) const {
  const json& v = at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
    fail(key, fmt::format("= {} must be a number in [{}, {}]", v.dump(), lo, hi));
  return v.get<double>();
}

bool ParamReader::boolean(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_boolean()) fail(key, fmt::format("= {} must be true or false", v.dump()));
  return v.get<bool>();
}

std::string ParamReader::string(const std::string& key, const std::vector<std::string>& allowed) const {
  const json& v = at(key);
  if (!v.is_string()) fail(key, fmt::format("= {} must be a string", v.dump()));
  const std::string s = v.get<std::string>();
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end())
    fail(key, fmt::format("= '{}' must be one of {}", s, fmt::join(allowed, ", ")));
  return s;
}

std::vector<double> ParamReader::numbers(const std::string& key, double lo, double hi) const {
  const json& v = at(key);
  if (!v.is_array() || v.empty()) fail(key, fmt::format("= {} must be a non-empty array of numbers", v.dump()));
  std::vector<double> out;
  for (const auto& e : v) {
    if (!e.is_number() || !std::isfinite(e.get<double>()) || e.get<double>() < lo || e.get<double>() > hi)
      fail(key, fmt::format("= {}: every element must be a number in [{}, {}]", v.dump(), lo, hi));
    out.push_back(e.get<double>());
  }
  return out;
}

std::vector<int> ParamReader::integers(const std::string& key, int lo, int hi) const {
  const json& v = at(key);
  if (!v.is_array() || v.empty()) fail(key, fmt::format("= {} must be a non-empty array of integers", v.dump()));
  std::vector<int> out;
  for (const auto& e : v) {
    if (!e.is_number_integer() || e.get<long long>() < lo || e.get<long long>() > hi)
      fail(key, fmt::format("= {}: every element must be an integer in {}..{}", v.dump(), lo, hi));
    out.push_back(e.get<int>());
  }
  return out;
}

std::vector<std::string> ParamReader::strings(const std::string& key, const std::vector<std::string>& allowed) const {
  const json& v = at(key);
  if (!v.is_array() || v.empty()) fail(key, fmt::format("= {} must be a non-empty array of strings", v.dump()));
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) fail(key, fmt::format("= {}: every element must be a string", v.dump()));
    const std::string s = e.get<std::string>();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end())
      fail(key, fmt::format("contains '{}', not one of {}", s, fmt::join(allowed, ", ")));
    out.push_back(s);
  }
  return out;
}

std::string ParamReader::path(const std::string& key) const {
  const std::string p = string(key);
  if (p.empty()) fail(key, "must not be empty");
  const fs::path fp(p);
  if (fp.is_absolute() || fs::exists(fp)) return p;
  const fs::path in_tree = fs::path(AIRTP_SOURCE_DIR) / fp;
  return fs::exists(in_tree) ? in_tree.string() : p;
}

std::string source_commit() {
  const std::string cmd = fmt::format("git -C '{}' rev-parse --short HEAD 2>/dev/null", AIRTP_SOURCE_DIR);
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {};
  char buf[64] = {};
  const bool ok = std::fgets(buf, sizeof buf, p) != nullptr;
  ::pclose(p);
  std::string s = ok ? buf : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
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
