#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "serve/api_error.h"
#include "runtime/generation.h"
#include "serve/page.h"
#include "serve/ranks.h"
#include "serve/request.h"
#include "util/parameter_error.h"

namespace airtp::serve {
namespace {

// Debian 12's cpp-httplib (0.11) listens with a backlog of 5, compiled into its library: a burst
// of clients overflows it, and the kernel then drops connections that the clients already took
// as open (they fail with a read error). listen() again on the bound socket raises the backlog;
// httplib does not expose the socket, so it is found among the process's descriptors by port.
void raise_listen_backlog(int port) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(e.path().filename().string());
    } catch (...) {
      continue;
    }
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    const int bound = addr.ss_family == AF_INET    ? ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port)
                      : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port)
                                                   : -1;
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

using nlohmann::json;

// Tokens may split a UTF-8 character and a client's text may hold invalid bytes: both are sent
// with U+FFFD rather than refused.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status();
  res.set_content(dump(e.to_json()), "application/json");
}

json timing(const TokenAccounting& t, double seconds) {
  return {{"tokens", t.tokens},
          {"seconds", seconds},
          {"tokens_per_s", seconds > 0 ? static_cast<double>(t.tokens) / seconds : 0.0},
          {"per_token", to_json(t)}};
}

// One line per finished request on stderr: what an operator (and the tests) can follow.
void log_request(const std::string& id, const GenerationResult& r) {
  std::fprintf(stderr, "%s: %d prompt tokens, %d generated, %s, prefill %.1f ms, decode %.1f ms\n", id.c_str(), r.prompt_tokens,
               r.completion_tokens, r.finish_reason == "cancelled" ? "cancelled (client gone)" : ("finish " + r.finish_reason).c_str(),
               1e3 * r.prefill_s, 1e3 * r.decode_s);
  std::fflush(stderr);
}

class Server {
 public:
  Server(Session& s, const ServerOptions& o)
      : session_(s),
        options_(o),
        template_(choose_chat_template(s.model(), o.chat_template)),
        model_id_(std::filesystem::path(s.model().path).stem().string()),
        created_(static_cast<long long>(std::time(nullptr))),
        max_ctx_(s.engine().max_ctx()) {
    const auto& tok = s.model().tokenizer;
    if (tok.empty())
      throw ParameterError("model", fmt::format("'{}' carries no tokenizer; the server takes text (give --tokenizer)", s.model().path));
    // A template's end of turn is a control token of chat vocabularies; a vocabulary without it
    // simply never produces it.
    for (auto piece : template_.end_of_turn) {
      const auto ids = tok.encode(piece, false, true);
      if (ids.size() == 1) end_tokens_.push_back(ids[0]);
    }
  }

  void run() {
    httplib::Server svr;
    svr.new_task_queue = [n = options_.http_threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
    svr.set_payload_max_length(options_.max_body_bytes);
    svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(page_html().data(), page_html().size(), "text/html; charset=utf-8");
    });
    svr.Get("/v1/airtp/settings", [this](const httplib::Request&, httplib::Response& res) { res.set_content(dump(settings()), "application/json"); });
    svr.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    svr.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
      json m = {{"id", model_id_}, {"object", "model"}, {"created", created_}, {"owned_by", "airtp"}};
      res.set_content(dump({{"object", "list"}, {"data", json::array({m})}}), "application/json");
    });
    svr.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) { complete(req, res, false); });
    svr.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) { complete(req, res, true); });
    svr.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;  // our own error, already in shape
      if (res.status == 413)
        send_error(res, ApiError(413, fmt::format("the request body exceeds {} bytes", options_.max_body_bytes)));
      else if (res.status == 404)
        send_error(res, ApiError(404, fmt::format("no endpoint {} {} (POST /v1/chat/completions, POST /v1/completions, "
                                                  "GET /v1/models, GET /v1/airtp/settings, GET /health, GET / (the chat page))", req.method, req.path), "invalid_request_error", "not_found"));
      else
        send_error(res, ApiError(res.status, fmt::format("HTTP {}", res.status), "invalid_request_error"));
    });
    svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown error";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_error(res, ApiError(500, what, "server_error"));
    });

    const int port = options_.port == 0 ? svr.bind_to_any_port(options_.host) : (svr.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port < 0)
      throw ParameterError("port", fmt::format("{} cannot be bound on {} (in use, or not an address of this machine)", options_.port, options_.host));
    raise_listen_backlog(port);

    // SIGINT/SIGTERM end the server from a thread of their own (stop() is not async-signal-safe);
    // blocked here, before the HTTP threads exist, so they inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A client gone mid-stream must fail the write, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    std::thread stopper([&] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      svr.stop();
    });
    if (options_.on_listening) options_.on_listening(port);
    svr.listen_after_bind();
    pthread_kill(stopper.native_handle(), SIGTERM);  // wakes it if the server ended otherwise
    stopper.join();
  }

 private:
  // Holds a place among the running and waiting requests while it lives.
  std::shared_ptr<void> admit() {
    int n = admitted_.load();
    do {
      if (n >= 1 + options_.max_waiting)
        throw ApiError(503, fmt::format("the server is busy: one request is running and {} are waiting; retry later", options_.max_waiting),
                       "server_error", "server_busy");
    } while (!admitted_.compare_exchange_weak(n, n + 1));
    return std::shared_ptr<void>(nullptr, [this](void*) { --admitted_; });
  }

  GenerationParams prepare(const CompletionRequest& cr) const {
    const auto& tok = session_.model().tokenizer;
    GenerationParams gp;
    // A chat template's markup names control tokens; a completion prompt is only text.
    gp.prompt = cr.chat ? tok.encode(template_.render(cr.messages), tok.add_bos(), true) : tok.encode(cr.prompt, tok.add_bos());
    if (gp.prompt.empty()) throw ApiError(400, "'prompt' is empty and this vocabulary adds no BOS token: give some text");
    const int n = static_cast<int>(gp.prompt.size());
    if (n >= max_ctx_)
      throw ApiError(400, fmt::format("the prompt is {} tokens; the context holds {}, with room for at least one token of answer", n, max_ctx_),
                     "invalid_request_error", "context_length_exceeded");
    if (cr.max_tokens) {
      if (n + *cr.max_tokens > max_ctx_)
        throw ApiError(400, fmt::format("'max_tokens' {} plus the prompt's {} tokens exceed the context of {} tokens", *cr.max_tokens, n, max_ctx_),
                       "invalid_request_error", "context_length_exceeded");
      gp.max_tokens = *cr.max_tokens;
    } else {
      gp.max_tokens = cr.chat ? max_ctx_ - n : std::min(16, max_ctx_ - n);
    }
    gp.temperature = cr.temperature;
    gp.top_p = cr.top_p;
    gp.top_k = cr.top_k;
    if (cr.seed) {
      gp.seed = *cr.seed;
    } else {
      std::random_device rd;
      gp.seed = ((static_cast<uint64_t>(rd()) << 32) | rd()) >> 1;
    }
    gp.stop = cr.stop;
    gp.end_tokens = end_tokens_;
    return gp;
  }

  // One at a time (the engine holds one KV cache), on every rank of the job.
  GenerationResult run_generation(const GenerationParams& gp, const std::function<bool(const TokenEvent&)>& on_token) {
    std::lock_guard lock(generation_);
    announce_generation(session_, gp);
    return generate(session_, gp, on_token);
  }

  json settings() {
    return {{"model", model_id_},
            {"devices", session_.transport().n_devices()},
            {"transport", session_.transport().name()},
            {"allreduce", session_.allreduce().name()},
            {"chat_template", template_.name},
            {"context", max_ctx_},
            {"threads", session_.pool().size()}};
  }

  json usage(int prompt, int completion, json airtp) const {
    return {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}, {"airtp", std::move(airtp)}};
  }

  json run_usage(const GenerationResult& r, uint64_t seed) {
    return usage(r.prompt_tokens, r.completion_tokens,
                 {{"seed", seed},
                  {"devices", session_.transport().n_devices()},
                  {"transport", session_.transport().name()},
                  {"allreduce", session_.allreduce().name()},
                  {"chat_template", template_.name},
                  {"prefill", timing(r.prefill, r.prefill_s)},
                  {"decode", timing(r.decode, r.decode_s)}});
  }

  json choice(bool chat, const std::string& text, json finish, bool stream, bool first) const {
    json c = {{"index", 0}, {"finish_reason", std::move(finish)}};
    if (!chat) {
      c["text"] = text;
      c["logprobs"] = nullptr;
    } else if (stream) {
      c["delta"] = first ? json{{"role", "assistant"}, {"content", text}} : (text.empty() && !c["finish_reason"].is_null() ? json::object() : json{{"content", text}});
    } else {
      c["message"] = {{"role", "assistant"}, {"content", text}};
    }
    return c;
  }

  json envelope(const std::string& id, bool chat, bool stream, json choice_, json usage_) const {
    return {{"id", id},
            {"object", chat ? (stream ? "chat.completion.chunk" : "chat.completion") : "text_completion"},
            {"created", static_cast<long long>(std::time(nullptr))},
            {"model", model_id_},
            {"system_fingerprint", "airtp"},
            {"choices", json::array({std::move(choice_)})},
            {"usage", std::move(usage_)}};
  }

  void complete(const httplib::Request& req, httplib::Response& res, bool chat) {
    try {
      const CompletionRequest cr = parse_completion_request(req.body, chat, model_id_);
      const GenerationParams gp = prepare(cr);
      auto ticket = admit();
      const std::string id = fmt::format("{}-{}", chat ? "chatcmpl" : "cmpl", ++request_counter_);
      if (!cr.stream) {
        const auto r = run_generation(gp, [](const TokenEvent&) { return true; });
        log_request(id, r);
        res.set_content(dump(envelope(id, chat, false, choice(chat, r.text, r.finish_reason, false, false), run_usage(r, gp.seed))),
                        "application/json");
        return;
      }
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider("text/event-stream", [this, gp, chat, id, ticket](size_t, httplib::DataSink& sink) {
        auto event = [&](const json& j) {
          const std::string s = "data: " + dump(j) + "\n\n";
          return sink.write(s.data(), s.size());
        };
        bool alive = true;
        size_t streamed = 0;
        try {
          const auto r = run_generation(gp, [&](const TokenEvent& ev) {
            json u = usage(static_cast<int>(gp.prompt.size()), ev.index + 1,
                           {{"token", ev.token}, {"index", ev.index}, {"phase", ev.from_prefill ? "prefill" : "decode"}, {"cost", to_json(ev.cost)}});
            streamed += ev.text.size();
            alive = event(envelope(id, chat, true, choice(chat, ev.text, nullptr, true, ev.index == 0), std::move(u))) && sink.is_writable();
            return alive;
          });
          log_request(id, r);
          if (!alive) return false;  // the client has gone: nothing more to say to it
          const std::string rest = r.text.substr(std::min(streamed, r.text.size()));
          if (!event(envelope(id, chat, true, choice(chat, rest, r.finish_reason, true, r.completion_tokens == 0), run_usage(r, gp.seed)))) return false;
        } catch (const std::exception& e) {
          if (!alive || !event(ApiError(500, e.what(), "server_error").to_json())) return false;
        }
        const std::string end = "data: [DONE]\n\n";
        if (!sink.write(end.data(), end.size())) return false;
        sink.done();
        return true;
      });
    } catch (const ApiError& e) {
      send_error(res, e);
    }
  }

  Session& session_;
  ServerOptions options_;
  const ChatTemplate& template_;
  std::string model_id_;
  long long created_;
  int max_ctx_;
  std::vector<int> end_tokens_;
  std::mutex generation_;
  std::atomic<int> admitted_{0};
  std::atomic<unsigned long long> request_counter_{0};
};

}  // namespace

const ChatTemplate& choose_chat_template(const Model& model, const std::string& name) {
  if (name.empty()) return recognise_chat_template(model.chat_template);
  if (const ChatTemplate* t = find_chat_template(name)) return *t;
  throw ParameterError("chat_template", fmt::format("'{}' is not a template; the templates are {}", name, chat_template_names()));
}

void serve(Session& session, const ServerOptions& options) {
  if (options.port < 0 || options.port > 65535) throw ParameterError("port", fmt::format("{} is outside 0..65535", options.port));
  if (options.max_waiting < 0 || options.max_waiting > 1000)
    throw ParameterError("max_waiting", fmt::format("{} is outside 0..1000", options.max_waiting));
  if (!session.is_root()) return follow(session);
  // However rank 0's server ends (stopped, or a port it cannot bind), the followers are released.
  struct ReleaseFollowers {
    Session& s;
    ~ReleaseFollowers() { announce_stop(s); }
  } release{session};
  Server(session, options).run();
}

}  // namespace airtp::serve
