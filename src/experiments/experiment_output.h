// Output plumbing of `airtp experiment`: result tables (CSV + JSON) and durations; files are
// written atomically (util/atomic_file.h) so an interrupted run never leaves a truncated result.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/atomic_file.h"

namespace airtp {

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

}  // namespace airtp
