#include "experiments/experiment_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace airtp {

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {
  if (columns_.empty()) throw std::invalid_argument("a table needs at least one column");
}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != columns_.size())
    throw std::invalid_argument(fmt::format("table row has {} cells for {} columns", row.size(), columns_.size()));
  rows_.push_back(std::move(row));
}

size_t Table::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == name) return i;
  throw std::out_of_range(fmt::format("table has no column '{}'", name));
}

double Table::number(size_t row, std::string_view column) const {
  const auto& c = rows_.at(row).at(column_index(column));
  if (const double* d = std::get_if<double>(&c)) return *d;
  throw std::invalid_argument(fmt::format("table cell ({}, {}) is not a number", row, column));
}

namespace {

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

std::string Table::to_csv() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i) out += ',';
    out += csv_field(columns_[i]);
  }
  out += "\n";
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ",";
      if (const double* d = std::get_if<double>(&row[i]))
        out += format_number(*d);
      else
        out += csv_field(std::get<std::string>(row[i]));
    }
    out += "\n";
  }
  return out;
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json Table::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      if (const double* d = std::get_if<double>(&row[i]))
        o[columns_[i]] = json_number(*d);
      else
        o[columns_[i]] = std::get<std::string>(row[i]);
    }
    arr.push_back(std::move(o));
  }
  return arr;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t < 60) return fmt::format("{} s", t);
  if (t < 3600) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
}

}  // namespace airtp
