// airtp: distributed on-device LLM inference with tensor parallelism and over-the-air all-reduce.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "cli/command.h"
#include "cli/parameter_flags.h"

namespace airtp::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return action ? action() : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "airtp: error: %s\n", error_message(e).c_str());
    return 1;
  }
}
