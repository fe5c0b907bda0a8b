// Output plumbing of `airtp experiment`: result tables (CSV + JSON), files written atomically so
// that an interrupted run never leaves a truncated result behind, and a progress bar on stderr.
#pragma once
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace airtp {

// Writes `content` to `path`.tmp, flushes it, then renames it over `path`: readers see either the
// old file or the complete new one. Throws std::runtime_error naming the path on any I/O error.
void write_file_atomic(const std::string& path, std::string_view content);

// A rectangular result table: named columns, rows of numbers or strings.
class Table {
 public:
  using Cell = std::variant<double, std::string>;
  Table() = default;
  explicit Table(std::vector<std::string> columns);

  // Throws std::invalid_argument if the row does not have one cell per column.
  void add_row(std::vector<Cell> row);
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<Cell>>& rows() const { return rows_; }
  size_t column_index(std::string_view name) const;  // throws std::out_of_range
  double number(size_t row, std::string_view column) const;  // throws if the cell is a string

  // RFC 4180 CSV with a header line. Numbers use the shortest round-trip form; non-finite
  // numbers are written as "nan" (gnuplot skips them).
  std::string to_csv() const;
  // An array of row objects; non-finite numbers become null.
  nlohmann::json to_json() const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// JSON number, or null when not finite (JSON has no NaN/inf).
nlohmann::json json_number(double v);

// "42 s", "3m05s", "1h02m".
std::string format_duration(double seconds);

// A one-line bar redrawn with '\r': "label [#####.....]  45%  ETA 1m20s  status". The caller
// states the total work in any unit (e.g. estimated seconds) and reports progress in it; the ETA
// extrapolates the elapsed time. Redraws at most ~8 times per second.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::FILE* out = stderr, bool enabled = true);
  ~ProgressBar();
  // fraction in [0, 1] (clamped).
  void update(double fraction, std::string_view status = {});
  // Draws 100% and ends the line.
  void finish(std::string_view status = {});

 private:
  void draw(double fraction, std::string_view status);
  std::string label_;
  std::FILE* out_;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  size_t last_width_ = 0;
};

}  // namespace airtp
