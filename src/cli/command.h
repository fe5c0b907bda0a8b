// Subcommands register themselves, so each lives in its own file and main.cpp lists none.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace airtp::cli {

struct Command {
  std::string name;
  std::string help;
  // Adds options to `sub` and returns the action to run after parsing (returns the exit code).
  std::function<std::function<int()>(CLI::App& sub)> setup;
};

std::vector<Command>& registry();

struct Register {
  explicit Register(Command c) { registry().push_back(std::move(c)); }
};

}  // namespace airtp::cli
