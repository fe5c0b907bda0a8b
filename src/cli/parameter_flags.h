// The CLI's spelling of the library's parameters. The library throws ParameterError naming a
// parameter ("rx_antennas"); the CLI reports it under the flag the user typed ("--rx-antennas").
#pragma once
#include <CLI/CLI.hpp>
#include <exception>
#include <string>

namespace airtp::cli {

// Adds `flags` (e.g. "-t,--threads") bound to `var`, and maps `parameter` to its long flag.
// `range` ("0..256"), when given, is shown in the help and in the error for a value that is not
// a number at all (the library checks the range itself and names it in its own error).
template <class T>
CLI::Option* add_parameter(CLI::App& app, const std::string& flags, const std::string& parameter, T& var,
                           const std::string& help, const std::string& range = "");
void map_parameter(const std::string& parameter, const std::string& flag);

// One line for the user: a ParameterError with the parameter spelled as its flag, any other
// error as it is.
std::string error_message(const std::exception& e);
// One line for a command-line parse error, naming the option and, for a number, its range.
std::string parse_error_message(const CLI::ParseError& e);

// --- implementation

std::string long_flag(const std::string& flags);  // "-t,--threads" -> "--threads"
void set_range(const std::string& flags, const std::string& range);

template <class T>
CLI::Option* add_parameter(CLI::App& app, const std::string& flags, const std::string& parameter, T& var,
                           const std::string& help, const std::string& range) {
  map_parameter(parameter, long_flag(flags));
  if (range.empty()) return app.add_option(flags, var, help);
  set_range(flags, range);
  return app.add_option(flags, var, help + " (" + range + ")");
}

}  // namespace airtp::cli
