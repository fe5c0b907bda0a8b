// Output plumbing of `airtp experiment`: CSV/JSON tables, atomic writes, parameter layering,
// gnuplot rendering (real gnuplot when installed), and that every bundled config file is valid.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/experiment.h"
#include "experiments/progress_bar.h"

using namespace airtp;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& tag) {
  fs::path d = fs::temp_directory_path() / "airtp-exp-";
  d += tag;
  d += "-";
  d += std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A minimal RFC 4180 reader (independent of Table::to_csv).
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') { field += '"'; ++i; }
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST(ExperimentTable, CsvQuotesAndRoundTripsNumbers) {
  Table t({"name", "x", "y"});
  t.add_row({std::string("plain"), 0.1, 1e-300});
  t.add_row({std::string("with, comma \"and quote\""), -12345.678901234567, std::nan("")});
  const auto rows = parse_csv(t.to_csv());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "x", "y"}));
  EXPECT_EQ(rows[2][0], "with, comma \"and quote\"");
  // Shortest round-trip form: parsing gives back the same double.
  EXPECT_EQ(std::stod(rows[1][1]), 0.1);
  EXPECT_EQ(std::stod(rows[1][2]), 1e-300);
  EXPECT_EQ(std::stod(rows[2][1]), -12345.678901234567);
  EXPECT_EQ(rows[2][2], "nan");
  const json j = t.to_json();
  EXPECT_TRUE(j[1]["y"].is_null());
  EXPECT_EQ(j[0]["name"], "plain");
  EXPECT_THROW(t.add_row({1.0}), std::invalid_argument);
  EXPECT_THROW(t.column_index("nope"), std::out_of_range);
  EXPECT_DOUBLE_EQ(t.number(1, "x"), -12345.678901234567);
  EXPECT_THROW(t.number(1, "name"), std::invalid_argument);
}

TEST(ExperimentIo, AtomicWriteReplacesWholeFileAndLeavesNoTemporary) {
  const auto d = temp_dir("atomic");
  const auto p = (d / "r.csv").string();
  write_file_atomic(p, "old content that is long\n");
  write_file_atomic(p, "new\n");
  EXPECT_EQ(slurp(p), "new\n");
  EXPECT_FALSE(fs::exists(p + ".tmp"));
  try {
    write_file_atomic((d / "missing-dir" / "x.csv").string(), "x");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing-dir"), std::string::npos) << e.what();
  }
  fs::remove_all(d);
}

TEST(ExperimentParams, LayersCheckNamesAndKinds) {
  const json base = {{"n", 4}, {"x", 0.5}, {"name", "a"}, {"list", {1, 2}}, {"flag", true}};
  const json merged = overlay_params(base, {{"n", 8}, {"x", 2}, {"list", {3.5}}}, "file.json");
  EXPECT_EQ(merged["n"], 8);
  EXPECT_EQ(merged["x"], 2);
  EXPECT_EQ(merged["list"], json({3.5}));
  EXPECT_EQ(merged["name"], "a");
  auto message = [&](const json& layer) {
    try {
      overlay_params(base, layer, "file.json");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"nn", 1}}).find("unknown parameter 'nn'"), std::string::npos);
  EXPECT_NE(message({{"nn", 1}}).find("file.json"), std::string::npos);
  EXPECT_NE(message({{"n", "four"}}).find("must be a number"), std::string::npos);
  EXPECT_NE(message({{"list", {"a"}}}).find("every element"), std::string::npos);
  EXPECT_NE(message({{"flag", 1}}).find("true or false"), std::string::npos);

  EXPECT_EQ(parse_param_assignment("n=3"), json({{"n", 3}}));
  EXPECT_EQ(parse_param_assignment("list=[1,2]"), json({{"list", {1, 2}}}));
  EXPECT_EQ(parse_param_assignment("name=hello world"), json({{"name", "hello world"}}));
  EXPECT_THROW(parse_param_assignment("novalue"), std::invalid_argument);

  ParamReader r(merged, "demo");
  EXPECT_EQ(r.integer("n", 1, 8), 8);
  EXPECT_THROW(r.integer("n", 1, 4), std::invalid_argument);
  EXPECT_THROW(r.string("n"), std::invalid_argument);
  EXPECT_THROW(r.strings("name"), std::invalid_argument);
  EXPECT_EQ(r.numbers("list", 0, 10), std::vector<double>{3.5});
  EXPECT_THROW(r.numbers("list", 0, 1), std::invalid_argument);
}

TEST(ExperimentParams, EverySmokeOverrideAndBundledConfigIsValid) {
  for (const auto& spec : experiment_specs()) {
    SCOPED_TRACE(spec.name);
    EXPECT_NO_THROW(overlay_params(spec.defaults, spec.smoke, "--smoke"));
    const fs::path cfg = fs::path(AIRTP_SOURCE_DIR) / "experiments" / (spec.name + ".json");
    if (!fs::exists(cfg)) continue;
    std::ifstream in(cfg);
    json j = json::parse(in);
    for (auto it = j.begin(); it != j.end();) it = it.key().rfind('_', 0) == 0 ? j.erase(it) : std::next(it);
    EXPECT_NO_THROW(overlay_params(spec.defaults, j, cfg.string()));
  }
  EXPECT_THROW(find_experiment("no-such-experiment"), std::invalid_argument);
}

TEST(Gnuplot, ScriptDrawsBothFormats) {
  GnuplotFigure f{"fig", "plot x", 640, 480};
  const std::string s = gnuplot_script(f, "fig.png", "fig.svg");
  EXPECT_NE(s.find("set output 'fig.png'"), std::string::npos);
  EXPECT_NE(s.find("set output 'fig.svg'"), std::string::npos);
  EXPECT_NE(s.find("pngcairo size 640,480"), std::string::npos);
  // The body runs once per format.
  int count = 0;
  for (size_t at = s.find("plot x"); at != std::string::npos; at = s.find("plot x", at + 1)) ++count;
  EXPECT_EQ(count, 2);
}

TEST(Gnuplot, MissingGnuplotWritesScriptOnly) {
  const auto d = temp_dir("nognuplot");
  ::setenv("AIRTP_GNUPLOT", "", 1);
  const std::string err = render_figure({"fig", "plot x", 300, 200}, d.string());
  ::unsetenv("AIRTP_GNUPLOT");
  EXPECT_NE(err.find("gnuplot not found"), std::string::npos);
  EXPECT_TRUE(fs::exists(d / "fig.gp"));
  EXPECT_FALSE(fs::exists(d / "fig.png"));
  fs::remove_all(d);
}

TEST(Gnuplot, RendersPngAndSvgOrReportsItsError) {
  if (find_gnuplot().empty()) GTEST_SKIP() << "gnuplot not installed";
  const auto d = temp_dir("gnuplot");
  Table t({"x", "y"});
  for (int i = 0; i < 5; ++i) t.add_row({double(i), double(i * i)});
  write_file_atomic((d / "data.csv").string(), t.to_csv());
  EXPECT_EQ(render_figure({"ok", "plot 'data.csv' using 'x':'y' with linespoints", 300, 200}, d.string()), "");
  const std::string png = slurp(d / "ok.png");
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_NE(slurp(d / "ok.svg").find("<svg"), std::string::npos);
  const std::string err = render_figure({"bad", "plot 'data.csv' using 'nosuchcolumn':'y'", 300, 200}, d.string());
  EXPECT_NE(err.find("gnuplot failed"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(d / "bad.png"));
  for (const auto& e : fs::directory_iterator(d)) EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  fs::remove_all(d);
}

TEST(ProgressBar, DrawsPercentAndEndsTheLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressBar bar("demo", f);
    bar.update(0.5, "halfway");
    bar.update(7.0);  // clamped; throttled anyway
    bar.finish("done");
  }
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
  std::fclose(f);
  EXPECT_NE(s.find("\rdemo ["), std::string::npos);
  EXPECT_NE(s.find(" 50%"), std::string::npos);
  EXPECT_NE(s.find("halfway"), std::string::npos);
  EXPECT_NE(s.find("100%"), std::string::npos);
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(format_duration(42), "42 s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
}
