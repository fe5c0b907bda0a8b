// The flags of every command that runs the model, and their translation into the library's
// RunConfig. Scheme options (--bits, --design, ...) come from the scheme registry, so a new
// scheme's options appear here without editing this file.
#pragma once
#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>

#include "runtime/run_config.h"

namespace airtp::cli {

struct RunOptions {
  RunConfig config;            // typed flags bind straight to it
  std::string shares;          // "0.5,0.3,0.2"
  std::string shares_from;     // an `airtp assign --out` file
  std::map<std::string, std::string> scheme_options;  // option name -> text given on the command line
  std::string transport = "auto";  // auto | inprocess | mpi
  std::optional<bool> measure_error;
};

void add_run_options(CLI::App& app, RunOptions& opt);
// The options of every registered scheme as flags (--bits, --design, ...): shared by the
// commands that run a scheme and by `optimize`.
void add_scheme_options(CLI::App& app, std::map<std::string, std::string>& given);
// The RunConfig the flags describe: shares parsed, the scheme's options from their flags (an
// option of another scheme is an error), the transport (auto: MPI when an MPI launcher started
// the process).
RunConfig to_config(const RunOptions& opt);
// How the transport was chosen, for the printout ("--transport auto: started by an MPI launcher").
std::string transport_note(const RunOptions& opt);
// The bundled model, found among the data directories (util/resources.h).
std::string default_model_path();

}  // namespace airtp::cli
