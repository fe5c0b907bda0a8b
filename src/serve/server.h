// airtp's OpenAI-compatible HTTP server over one Session: GET /health, GET /v1/models,
// POST /v1/completions and /v1/chat/completions (JSON, or server-sent events with "stream").
// GET / is a chat page over that API (serve/page.h); GET /v1/airtp/settings tells it the run:
// {"model", "devices", "transport", "allreduce", "chat_template", "context" (tokens), "threads"}.
// The model runs one request at a time; a few more wait their turn, beyond them the answer is
// 503. Each response's usage (and each streamed chunk's) carries airtp's per-token cost.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "runtime/session.h"
#include "serve/chat_template.h"

namespace airtp::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (reported through on_listening)
  int max_waiting = 4;             // requests queued behind the running one
  size_t max_body_bytes = 1 << 20;
  std::string chat_template;       // a name from chat_templates(); "" = recognised from the model
  int http_threads = 8;
  // Called once the socket is bound, with the port, before requests are served.
  std::function<void(int port)> on_listening;
};

// Serves until SIGINT or SIGTERM. Under MPI every rank calls it: rank 0 serves, the others
// follow its generations (serve/ranks.h) until it ends. Throws ParameterError for a bad option
// (an unknown template, a port that cannot be bound).
void serve(Session& session, const ServerOptions& options);

// The template a server over this model uses: `name` when given, else the model's own
// recognised (ParameterError "chat_template" for an unknown name).
const ChatTemplate& choose_chat_template(const Model& model, const std::string& name);

}  // namespace airtp::serve
