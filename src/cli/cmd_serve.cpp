// airtp serve: the OpenAI-compatible chat server (src/serve) over the run the flags describe.
#include <fmt/format.h>

#include <cstdio>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "cli/run_options.h"
#include "serve/server.h"

namespace airtp::cli {
namespace {

struct ServeOptions {
  RunOptions run;
  serve::ServerOptions server;
};

int run(ServeOptions& o) {
  const auto session = open_session(o.run);
  Session& s = *session;
  const auto& tmpl = serve::choose_chat_template(s.model(), o.server.chat_template);
  o.server.on_listening = [&](int port) {
    const auto& cfg = s.model().config;
    std::fprintf(stderr, "model: %s (%s): %d layers, dim %d, vocab %d, context %d; chat template: %s%s\n", cfg.name.c_str(),
                 s.model().path.c_str(), cfg.n_layers, cfg.dim, cfg.vocab_size, s.engine().max_ctx(), std::string(tmpl.name).c_str(),
                 o.server.chat_template.empty() ? (s.model().chat_template.empty() ? " (the model file names none)" : " (recognised in the model file)") : "");
    std::fprintf(stderr, "devices: %d (%s), all-reduce: %s, threads: %d\n", s.transport().n_devices(), s.transport().name().c_str(),
                 s.allreduce().name().c_str(), s.pool().size());
    std::fprintf(stderr, "airtp serve: listening on http://%s:%d (chat page at /; POST /v1/chat/completions, /v1/completions; GET /v1/models, /health)\n",
                 o.server.host.c_str(), port);
    std::fflush(stderr);
  };
  serve::serve(s, o.server);
  return 0;
}

const Register reg{{"serve", "Serve the model over HTTP: an OpenAI-compatible API (chat and text completions, streaming) with per-token costs",
                    [](CLI::App& app) {
                      auto o = std::make_shared<ServeOptions>();
                      add_run_options(app, o->run);
                      add_parameter(app, "--host", "host", o->server.host, "Address to listen on")->capture_default_str();
                      add_parameter(app, "--port", "port", o->server.port, "Port to listen on, 0..65535 (0 = any free port, printed)")
                          ->capture_default_str();
                      add_parameter(app, "--chat-template", "chat_template", o->server.chat_template,
                                    fmt::format("Chat template: {} (default: recognised from the model file's, else plain)",
                                                serve::chat_template_names()));
                      add_parameter(app, "--max-waiting", "max_waiting", o->server.max_waiting,
                                    "Requests that may wait behind the running one, 0..1000; more get 503")->capture_default_str();
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
