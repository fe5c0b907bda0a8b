// airtp serve, driven over HTTP as a client would: the binary started on a free loopback port
// with the bundled model, answers compared with `airtp generate` for the same greedy run.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kModel = std::string(AIRTP_SOURCE_DIR) + "/models/airtp-kjv-q8_0.gguf";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A server process for one test: killed (SIGTERM, then reaped) when the object goes.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extra = {}) {
    log_ = fs::temp_directory_path() / ("airtp-serve-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".log");
    std::vector<std::string> args = {AIRTP_BINARY, "serve", "-m", kModel, "--port", "0", "-t", "1", "--transport", "inprocess"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 600 && port_ == 0 && pid_ > 0; ++i) {
      std::smatch m;
      const std::string text = slurp(log_);
      if (std::regex_search(text, m, listening)) port_ = std::stoi(m[1]);
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    fs::remove(log_);
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return slurp(log_); }
  int threads() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid_) + "/task")) ++n;
    return n;
  }
  // Exit status after SIGTERM: the server ends cleanly.
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  static inline int counter_ = 0;
  fs::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Reply {
  int status = 0;
  std::string body;
  json j() const { return json::parse(body); }
};

Reply post(int port, const std::string& path, const std::string& body) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(300, 0);
  auto r = c.Post(path.c_str(), body, "application/json");
  if (!r) return {0, "no response: " + httplib::to_string(r.error())};
  return {r->status, r->body};
}

Reply get(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get(path.c_str());
  if (!r) return {};
  return {r->status, r->body};
}

// The "data: " payloads of a server-sent event stream.
std::vector<std::string> events(const std::string& stream) {
  std::vector<std::string> out;
  std::istringstream in(stream);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("data: ", 0) == 0) out.push_back(line.substr(6));
  return out;
}

json generate_json(const std::string& prompt, int n) {
  const fs::path out = fs::temp_directory_path() / ("airtp-serve-gen-" + std::to_string(::getpid()) + ".json");
  const std::string cmd = std::string(AIRTP_BINARY) + " generate -m " + kModel + " -p '" + prompt + "' -n " + std::to_string(n) +
                          " --temp 0 -t 1 --transport inprocess --json >" + out.string() + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  json j = json::parse(slurp(out));
  fs::remove(out);
  return j;
}

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override { ASSERT_GT(server_->port(), 0) << "the server did not start:\n" << server_->log(); }
  static int port() { return server_->port(); }
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(Serve, HealthAndModels) {
  EXPECT_EQ(get(port(), "/health").status, 200);
  const auto m = get(port(), "/v1/models");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.j()["object"], "list");
  EXPECT_EQ(m.j()["data"][0]["id"], "airtp-kjv-q8_0");
}

// The page's script talks to the API by these ids and this URL: a rename on either side breaks it.
TEST_F(Serve, RootServesTheChatPage) {
  httplib::Client c("127.0.0.1", port());
  const auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/html", 0), 0u) << r->get_header_value("Content-Type");
  for (const char* needle : {"<form id=\"chat-form\"", "id=\"message\"", "id=\"send\"", "id=\"stop\"", "id=\"plot\"", "id=\"settings\"",
                             "\"/v1/chat/completions\"", "\"/v1/airtp/settings\"", "\"/v1/models\""})
    EXPECT_NE(r->body.find(needle), std::string::npos) << needle;
  // Self-contained: no scripts, styles or images fetched, no address but SVG's namespace.
  for (const char* fetches : {"src=", "<link", "url(", "https://"}) EXPECT_EQ(r->body.find(fetches), std::string::npos) << fetches;
  const std::regex address("http://[^\"]*");
  for (auto it = std::sregex_iterator(r->body.begin(), r->body.end(), address); it != std::sregex_iterator(); ++it)
    EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg");
}

TEST_F(Serve, SettingsNameTheRun) {
  const auto s = get(port(), "/v1/airtp/settings");
  ASSERT_EQ(s.status, 200) << s.body;
  const json j = s.j();
  EXPECT_EQ(j["model"], "airtp-kjv-q8_0");
  EXPECT_EQ(j["devices"], 1);
  EXPECT_EQ(j["transport"], "in-process");
  EXPECT_EQ(j["allreduce"], "exact");
  EXPECT_EQ(j["chat_template"], "plain");
  EXPECT_EQ(j["context"], 256);
  EXPECT_EQ(j["threads"], 1);
}

TEST_F(Serve, CompletionIsGeneratesTextWithItsCost) {
  const auto want = generate_json("In the beginning", 8);
  const auto r = post(port(), "/v1/completions", R"({"model": "airtp-kjv-q8_0", "prompt": "In the beginning", "max_tokens": 8, "temperature": 0})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.j();
  EXPECT_EQ(j["object"], "text_completion");
  // generate's "text" is the answer decoded alone (SentencePiece drops its first space, as after
  // BOS); a completion continues the prompt, so its text keeps it.
  EXPECT_EQ(j["choices"][0]["text"], " " + want["text"].get<std::string>());
  EXPECT_EQ(j["usage"]["prompt_tokens"], want["prompt_tokens"].size());
  EXPECT_EQ(j["usage"]["completion_tokens"], want["tokens"].size());
  EXPECT_EQ(j["choices"][0]["finish_reason"], want["stop"] == "eos" ? "stop" : "length");
  const json& cost = j["usage"]["airtp"]["decode"]["per_token"];
  EXPECT_EQ(cost["compute_ms_per_device"].size(), 1u);
  EXPECT_GT(cost["compute_ms_per_device"][0].get<double>(), 0.0);
  EXPECT_EQ(j["usage"]["airtp"]["decode"]["tokens"], want["decode"]["tokens"]);
}

TEST_F(Serve, StreamedChatEqualsTheWholeAnswerAndCarriesEachTokensCost) {
  const std::string req = R"({"messages": [{"role": "user", "content": "And God said"}], "max_tokens": 10, "temperature": 0.7, "seed": 7)";
  const auto whole = post(port(), "/v1/chat/completions", req + "}");
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.j()["object"], "chat.completion");
  const std::string answer = whole.j()["choices"][0]["message"]["content"];
  EXPECT_FALSE(answer.empty());

  const auto streamed = post(port(), "/v1/chat/completions", req + R"(, "stream": true})");
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  const auto ev = events(streamed.body);
  ASSERT_GE(ev.size(), 3u);
  EXPECT_EQ(ev.back(), "[DONE]");
  std::string text;
  int token_chunks = 0;
  for (size_t i = 0; i + 1 < ev.size(); ++i) {
    const json c = json::parse(ev[i]);
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    if (i == 0) {
      EXPECT_EQ(c["choices"][0]["delta"]["role"], "assistant");
    }
    if (c["choices"][0]["delta"].contains("content")) text += c["choices"][0]["delta"]["content"].get<std::string>();
    if (c["usage"]["airtp"].contains("cost")) {
      ++token_chunks;
      EXPECT_GT(c["usage"]["airtp"]["cost"]["compute_ms_per_device"][0].get<double>(), 0.0) << ev[i];
    }
  }
  EXPECT_EQ(text, answer);
  EXPECT_EQ(token_chunks, whole.j()["usage"]["completion_tokens"]);
  EXPECT_EQ(json::parse(ev[ev.size() - 2])["choices"][0]["finish_reason"], whole.j()["choices"][0]["finish_reason"]);
}

TEST_F(Serve, StopStringEndsTheAnswerBeforeIt) {
  const auto full = post(port(), "/v1/completions", R"({"prompt": "In the beginning", "max_tokens": 12, "temperature": 0})");
  ASSERT_EQ(full.status, 200);
  const std::string text = full.j()["choices"][0]["text"];
  ASSERT_GT(text.size(), 8u);
  const std::string stop = text.substr(5, 3);
  const size_t at = text.find(stop);
  for (const char* stream : {"false", "true"}) {
    const auto r = post(port(), "/v1/completions",
                        json{{"prompt", "In the beginning"}, {"max_tokens", 12}, {"temperature", 0}, {"stop", {stop}}, {"stream", std::string(stream) == "true"}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    std::string got;
    std::string finish;
    if (std::string(stream) == "false") {
      got = r.j()["choices"][0]["text"];
      finish = r.j()["choices"][0]["finish_reason"];
    } else {
      for (const auto& e : events(r.body)) {
        if (e == "[DONE]") continue;
        const json c = json::parse(e);
        got += c["choices"][0]["text"].get<std::string>();
        if (!c["choices"][0]["finish_reason"].is_null()) finish = c["choices"][0]["finish_reason"];
      }
    }
    EXPECT_EQ(got, text.substr(0, at)) << "stream " << stream << ", stop '" << stop << "'";
    EXPECT_EQ(finish, "stop");
  }
}

TEST_F(Serve, BadRequestsGetOpenAIErrorsNamingTheProblem) {
  struct Case {
    std::string path, body;
    int status;
    std::string says;
  };
  const std::string big(2 << 20, 'a');
  const std::string long_prompt = [] { std::string s; for (int i = 0; i < 3000; ++i) s += "and the Lord spake "; return s; }();
  const std::vector<Case> cases = {
      {"/v1/completions", "{not json", 400, "not valid JSON"},
      {"/v1/completions", "[1]", 400, "must be a JSON object"},
      {"/v1/completions", R"({"max_tokens": 4})", 400, "'prompt' is missing"},
      {"/v1/completions", R"({"prompt": 3})", 400, "'prompt' must be a string"},
      {"/v1/completions", R"({"prompt": "x", "max_tokens": "8"})", 400, "'max_tokens' must be an integer"},
      {"/v1/completions", R"({"prompt": "x", "max_tokens": 0})", 400, "'max_tokens' must be an integer in 1..1000000, got 0"},
      {"/v1/completions", R"({"prompt": "x", "max_tokens": 1.5})", 400, "'max_tokens' must be an integer"},
      {"/v1/completions", R"({"prompt": "x", "temperature": -1})", 400, "'temperature' must be a number in 0..100"},
      {"/v1/completions", R"({"prompt": "x", "stream": "yes"})", 400, "'stream' must be a boolean"},
      {"/v1/completions", R"({"prompt": "x", "stop": [1]})", 400, "'stop[0]' must be a string"},
      {"/v1/completions", R"({"prompt": "x", "model": "gpt-4"})", 400, "model 'gpt-4' is not served here"},
      {"/v1/completions", R"({"prompt": "x", "max_tokens": 100000})", 400, "exceed the context"},
      {"/v1/completions", json{{"prompt", long_prompt}}.dump(), 400, "the prompt is"},
      {"/v1/chat/completions", R"({"messages": []})", 400, "'messages' must be a non-empty array"},
      {"/v1/chat/completions", R"({"messages": [{"role": "robot", "content": "x"}]})", 400, "'messages[0].role' must be system, user or assistant"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user"}]})", 400, "'messages[0].content' is missing"},
      {"/v1/completions", json{{"prompt", big}}.dump(), 413, "exceeds"},
      {"/v1/nothing", "{}", 404, "no endpoint"},
  };
  for (const auto& c : cases) {
    const auto r = post(port(), c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << " -> " << r.body;
    json j;
    ASSERT_NO_THROW(j = r.j()) << r.body;
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(c.says), std::string::npos) << c.body.substr(0, 80) << " -> " << r.body;
    EXPECT_TRUE(j["error"].contains("type") && j["error"].contains("code")) << r.body;
  }
  EXPECT_EQ(post(port(), "/v1/completions", R"({"prompt": "x", "model": "gpt-4"})").j()["error"]["code"], "model_not_found");
  EXPECT_EQ(get(port(), "/health").status, 200);
}

// A raw connection, to read part of a stream and hang up as a client that goes away does.
int open_stream(int port, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  const std::string req = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return -1;
  return fd;
}

std::string read_some(int fd, const std::string& until) {
  std::string got;
  char buf[4096];
  while (got.find(until) == std::string::npos) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(ServeQueue, FullQueueIs503AndAClientThatHangsUpStopsItsGeneration) {
  ServerProcess server({"--max-waiting", "0", "--devices", "8", "--allreduce", "aircomp"});  // ~30 ms a token: slow enough to overlap
  ASSERT_GT(server.port(), 0) << server.log();
  const int threads_before = server.threads();
  // Long enough to still run while the next request comes: the whole context.
  const int fd = open_stream(server.port(), R"({"prompt": "In the beginning", "max_tokens": 240, "stream": true, "temperature": 1, "seed": 1})");
  ASSERT_GE(fd, 0);
  const std::string head = read_some(fd, "\"index\":2");  // three tokens in
  ASSERT_NE(head.find("200 OK"), std::string::npos) << head;

  const auto busy = post(server.port(), "/v1/completions", R"({"prompt": "x", "max_tokens": 2})");
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.j()["error"]["code"], "server_busy");
  EXPECT_EQ(get(server.port(), "/health").status, 200);  // waiting requests do not block the others

  ::close(fd);
  // The hang-up ends the generation (the log says so, well before its 240 tokens), and the model is free again.
  std::string log;
  for (int i = 0; i < 300 && (log = server.log()).find("cancelled") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::regex cancelled("cmpl-1: [0-9]+ prompt tokens, ([0-9]+) generated, cancelled");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, cancelled)) << log;
  EXPECT_LT(std::stoi(m[1]), 240);
  const auto after = post(server.port(), "/v1/completions", R"({"prompt": "x", "max_tokens": 2})");
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_LE(server.threads(), threads_before);
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(ServeQueue, TwentyConcurrentRequestsAreAllAnsweredOrRefusedCleanly) {
  ServerProcess server;
  ASSERT_GT(server.port(), 0) << server.log();
  const int threads_before = server.threads();
  std::vector<Reply> replies(20);
  std::vector<std::thread> clients;
  for (int i = 0; i < 20; ++i)
    clients.emplace_back([&, i] {
      replies[static_cast<size_t>(i)] = post(server.port(), i % 2 ? "/v1/completions" : "/v1/chat/completions",
                                             i % 2 ? R"({"prompt": "In the beginning", "max_tokens": 4, "stream": true})"
                                                   : R"({"messages": [{"role": "user", "content": "Amen"}], "max_tokens": 4})");
    });
  for (auto& t : clients) t.join();
  int ok = 0, busy = 0;
  for (const auto& r : replies) {
    if (r.status == 200) ++ok;
    else if (r.status == 503 && json::parse(r.body)["error"]["code"] == "server_busy") ++busy;
    else ADD_FAILURE() << "status " << r.status << ": " << r.body;
  }
  EXPECT_EQ(ok + busy, 20);
  EXPECT_GE(ok, 1);
  EXPECT_EQ(get(server.port(), "/health").status, 200);
  EXPECT_LE(server.threads(), threads_before);
  EXPECT_EQ(server.stop(), 0) << server.log();
}

}  // namespace
