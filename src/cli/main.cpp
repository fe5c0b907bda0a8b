// airtp: distributed on-device LLM inference with tensor parallelism and over-the-air all-reduce.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

#include "cli/command.h"
#include "cli/parameter_flags.h"

namespace airtp::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

namespace {

std::string command_list() {
  std::string s;
  for (const auto& c : registry()) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

// Flags of llama.cpp that airtp has no counterpart for, which CLI11 would otherwise read as a
// short flag plus a value ("-ngl 99" as "-n gl").
const char* unsupported_llama_flag(const std::string& a) {
  if (a == "-ngl" || a == "--n-gpu-layers" || a == "--gpu-layers" || a.rfind("-ngl", 0) == 0)
    return "airtp runs every layer on the devices' CPUs; there are no GPU layers to offload (drop the flag)";
  return nullptr;
}

int fail(const std::string& message) {
  std::string line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(stderr, "airtp: error: %s\n", line.c_str());
  return 1;
}

}  // namespace
}  // namespace airtp::cli

int main(int argc, char** argv) {
  using namespace airtp::cli;
  CLI::App app{"airtp: tensor-parallel LLM inference over wireless links (exact, digital and "
               "over-the-air all-reduce)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "airtp 0.1.0");
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  std::function<int()> action;
  for (auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    auto act = c.setup(*sub);
    sub->callback([&action, act] { action = act; });
  }
  for (int i = 1; i < argc; ++i)
    if (const char* why = unsupported_llama_flag(argv[i])) return fail(std::string(argv[i]) + ": " + why);
  if (argc < 2) return fail("name a command: " + command_list() + " (airtp --help describes them)");
  const std::string first = argv[1];
  if (first.empty() || first[0] != '-') {
    const bool known = std::any_of(commands.begin(), commands.end(), [&](const Command& c) { return c.name == first; });
    if (!known) return fail("'" + first + "' is not a command; the commands are " + command_list());
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(parse_error_message(e));
  }
  int rc = 0;
  try {
    rc = action ? action() : 0;
  } catch (const std::exception& e) {
    rc = fail(error_message(e));
  }
  // Output that could not be written (a full disk, > /dev/full, a closed pipe) is a failure,
  // not a success with the result lost.
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (!flushed || std::ferror(stdout) || !std::cout)
    return fail(std::string("cannot write to standard output") + (errno ? std::string(": ") + std::strerror(errno) : ""));
  return rc;
}
