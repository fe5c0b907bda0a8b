// The CLI's spelling of the library's parameters. The library throws ParameterError naming a
// parameter ("rx_antennas"); the CLI reports it under the flag the user typed ("--rx-antennas").
#pragma once
#include <CLI/CLI.hpp>
#include <exception>
#include <string>

namespace airtp::cli {

// Adds `flags` (e.g. "-t,--threads") bound to `var`, and maps `parameter` to its long flag.
template <class T>
CLI::Option* add_parameter(CLI::App& app, const std::string& flags, const std::string& parameter, T& var,
                           const std::string& help);
void map_parameter(const std::string& parameter, const std::string& flag);

// One line for the user: a ParameterError with the parameter spelled as its flag, any other
// error as it is.
std::string error_message(const std::exception& e);

// --- implementation

std::string long_flag(const std::string& flags);  // "-t,--threads" -> "--threads"

template <class T>
CLI::Option* add_parameter(CLI::App& app, const std::string& flags, const std::string& parameter, T& var,
                           const std::string& help) {
  map_parameter(parameter, long_flag(flags));
  return app.add_option(flags, var, help);
}

}  // namespace airtp::cli
