#include "experiments/experiment.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <algorithm>
#include <stdexcept>

#include <signal.h>
#include <unistd.h>

#include "util/atomic_file.h"
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

namespace {

// A staging directory of this process: ".airtp-staging-PID-XXXXXX" in out_dir.
constexpr std::string_view kStagingPrefix = ".airtp-staging-";

// Staging directories left by runs that were killed before they could clean up (their process
// is gone); a live run's staging directory is left alone.
void remove_orphaned_staging(const fs::path& out_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kStagingPrefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + kStagingPrefix.size(), nullptr, 10);
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;
    fs::remove_all(e.path(), ec);
  }
}

// The files the previous result set in out_dir listed (its NAME.json "files").
std::vector<std::string> previous_files(const fs::path& json_path) {
  std::vector<std::string> files;
  std::ifstream in(json_path);
  if (!in) return files;
  const json j = json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("files") || !j["files"].is_array()) return files;
  for (const auto& f : j["files"])
    if (f.is_string() && f.get<std::string>().find('/') == std::string::npos) files.push_back(f.get<std::string>());
  return files;
}

// Removes the staging directory unless released (on success it is empty and removed anyway).
struct Staging {
  fs::path dir;
  ~Staging() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

}  // namespace

WrittenExperiment write_experiment(const ExperimentSpec& spec, const json& params, const ExperimentOutput& out,
                                   const std::string& out_dir, bool plot, const std::string& command,
                                   double seconds) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create output directory '{}': {}", out_dir, ec.message()));
  remove_orphaned_staging(out_dir);
  // The whole set is written into a staging directory beside the results and moved into place
  // only when complete: an interrupted run leaves the previous set as it was, never a new CSV
  // beside an old JSON.
  std::string tmpl = (fs::path(out_dir) / fmt::format("{}{}-XXXXXX", kStagingPrefix, ::getpid())).string();
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error(fmt::format("cannot create a staging directory in '{}': {}", out_dir, std::strerror(errno)));
  Staging staging{tmpl};
  const TemporaryDirectoryGuard on_signal(tmpl);  // a killed run removes it too
  const fs::path stage = staging.dir;

  WrittenExperiment w;
  json tables = json::object();
  std::vector<std::string> names;  // files of the set, in the order they are moved into place
  for (const auto& [stem, table] : out.tables) {
    write_file_atomic((stage / (stem + ".csv")).string(), table.to_csv());
    names.push_back(stem + ".csv");
    tables[stem] = table.to_json();
  }
  for (const auto& fig : out.figures) {
    if (!plot) {  // the script only, to draw later with `gnuplot NAME.gp`
      write_file_atomic((stage / (fig.name + ".gp")).string(), gnuplot_script(fig, fig.name + ".png", fig.name + ".svg"));
      names.push_back(fig.name + ".gp");
      continue;
    }
    const std::string err = render_figure(fig, stage.string());
    names.push_back(fig.name + ".gp");
    if (!err.empty()) {
      w.warnings.push_back(err);
      continue;
    }
    for (const char* ext : {".png", ".svg"}) names.push_back(fig.name + ext);
  }
  const std::string json_name = spec.name + ".json";
  json files = names;
  files.push_back(json_name);
  const json doc = {{"experiment", spec.name}, {"summary", spec.summary}, {"command", command},
                    {"params", params},        {"results", out.results}, {"notes", out.notes},
                    {"tables", tables},        {"seconds", seconds},     {"files", files},
                    {"source_commit", source_commit()}};
  write_file_atomic((stage / json_name).string(), doc.dump(2) + "\n");
  names.push_back(json_name);  // last: the index of the set goes in once the rest is there

  // Files of the previous set that this one does not have (a figure not drawn this time) go
  // first, so they are not left beside the new set.
  const auto old = previous_files(fs::path(out_dir) / json_name);
  for (const auto& f : old)
    if (std::find(names.begin(), names.end(), f) == names.end()) fs::remove(fs::path(out_dir) / f, ec);
  for (const auto& n : names) {
    const fs::path dest = fs::path(out_dir) / n;
    fs::rename(stage / n, dest, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot move '{}' into place: {}", dest.string(), ec.message()));
    w.files.push_back(dest.string());
  }
  return w;
}

}  // namespace airtp
