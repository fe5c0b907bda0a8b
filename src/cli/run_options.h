// The flags of every command that runs the model, and their translation into the library's
// RunConfig. Scheme options (--bits, --design, ...) come from the scheme registry, so a new
// scheme's options appear here without editing this file.
#pragma once
#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "runtime/run_config.h"
#include "runtime/session.h"

namespace airtp::cli {

struct RunOptions {
  RunConfig config;            // typed flags bind straight to it
  std::string shares;          // "0.5,0.3,0.2"
  std::string shares_from;     // an `airtp assign --out` file
  std::map<std::string, std::string> scheme_options;  // option name -> text given on the command line
  std::string transport = "auto";  // auto | inprocess | mpi
  std::optional<bool> measure_error;
  // To tell "--shares ''" from no --shares at all.
  CLI::Option* shares_flag = nullptr;
  CLI::Option* shares_from_flag = nullptr;
};

void add_run_options(CLI::App& app, RunOptions& opt);
// The options of every registered scheme as flags (--bits, --design, ...): shared by the
// commands that run a scheme and by `optimize`.
void add_scheme_options(CLI::App& app, std::map<std::string, std::string>& given);
// The RunConfig the flags describe: shares parsed, the scheme's options from their flags (an
// option of another scheme is an error), the transport (auto: MPI when an MPI launcher started
// the process).
RunConfig to_config(const RunOptions& opt);
// The session the flags describe. A problem with shares read from --shares-from is reported
// under --shares-from and the file, not under --shares.
std::unique_ptr<Session> open_session(const RunOptions& opt);
// What a run's numbers cannot show by themselves, e.g. that AirComp dropped every device in every
// channel block (the output is then noise). Printed as "airtp: warning: ..." and in --json.
std::vector<std::string> run_warnings(Session& s);
// How the transport was chosen, for the printout ("--transport auto: started by an MPI launcher").
std::string transport_note(const RunOptions& opt);
// The bundled model, found among the data directories (util/resources.h).
std::string default_model_path();

}  // namespace airtp::cli
