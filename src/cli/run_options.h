// Options shared by every command that runs the model.
#pragma once
#include <CLI/CLI.hpp>

#include "runtime/session.h"

namespace airtp::cli {

void add_run_options(CLI::App& app, RunOptions& opt);
// The bundled model, found next to the source tree or the binary.
std::string default_model_path();

}  // namespace airtp::cli
