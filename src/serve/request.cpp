#include "serve/request.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "serve/api_error.h"

namespace airtp::serve {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& message, std::string code = "") {
  throw ApiError(400, message, "invalid_request_error", std::move(code));
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

std::string got(const json& v) {
  if (v.is_number()) return v.dump();
  return type_name(v);
}

double number(const json& body, const char* key, double lo, double hi) {
  const json& v = body[key];
  if (!v.is_number()) bad(fmt::format("'{}' must be a number in {}..{}, got {}", key, lo, hi, got(v)));
  const double x = v.get<double>();
  if (!(x >= lo && x <= hi)) bad(fmt::format("'{}' must be a number in {}..{}, got {}", key, lo, hi, v.dump()));
  return x;
}

int64_t integer(const json& body, const char* key, int64_t lo, int64_t hi) {
  const json& v = body[key];
  const auto fail = [&] { bad(fmt::format("'{}' must be an integer in {}..{}, got {}", key, lo, hi, got(v))); };
  // nlohmann reads every non-negative integer as unsigned.
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(hi) || static_cast<int64_t>(v.get<uint64_t>()) < lo) fail();
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) fail();
    return x;
  }
  // 16.0 is 16, as JavaScript clients write it.
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) != d || !(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d >= 9.2e18) fail();
    return static_cast<int64_t>(d);
  }
  fail();
  return 0;
}

std::string string(const json& v, const std::string& where) {
  if (!v.is_string()) bad(fmt::format("'{}' must be a string, got {}", where, got(v)));
  return v.get<std::string>();
}

// OpenAI's content may also be an array of parts; only text parts carry anything a text model reads.
std::string content_text(const json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) bad(fmt::format("'{}' must be a string or an array of text parts, got {}", where, got(v)));
  std::string text;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string w = fmt::format("{}[{}]", where, i);
    if (!v[i].is_object() || !v[i].contains("type") || v[i]["type"] != "text" || !v[i].contains("text"))
      bad(fmt::format("'{}' must be a text part {{\"type\": \"text\", \"text\": ...}}", w));
    text += string(v[i]["text"], w + ".text");
  }
  return text;
}

}  // namespace

CompletionRequest parse_completion_request(std::string_view body, bool chat, const std::string& model_id) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    bad(fmt::format("the body is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) bad(fmt::format("the body must be a JSON object, got {}", type_name(j)));
  CompletionRequest r;
  r.chat = chat;
  auto has = [&](const char* key) { return j.contains(key) && !j[key].is_null(); };

  if (has("model")) {
    const std::string m = string(j["model"], "model");
    if (m != model_id)
      throw ApiError(400, fmt::format("model '{}' is not served here; this server runs '{}' (GET /v1/models)", m, model_id),
                     "invalid_request_error", "model_not_found");
  }
  if (chat) {
    if (!j.contains("messages")) bad("'messages' is missing (an array of {\"role\", \"content\"})");
    const json& ms = j["messages"];
    if (!ms.is_array() || ms.empty()) bad(fmt::format("'messages' must be a non-empty array, got {}", ms.is_array() ? "an empty array" : got(ms)));
    for (size_t i = 0; i < ms.size(); ++i) {
      const std::string w = fmt::format("messages[{}]", i);
      if (!ms[i].is_object()) bad(fmt::format("'{}' must be an object, got {}", w, got(ms[i])));
      if (!ms[i].contains("role")) bad(fmt::format("'{}.role' is missing", w));
      ChatMessage m{string(ms[i]["role"], w + ".role"), ""};
      if (m.role == "developer") m.role = "system";  // OpenAI's newer name for it
      if (m.role != "system" && m.role != "user" && m.role != "assistant")
        bad(fmt::format("'{}.role' must be system, user or assistant, got '{}'", w, m.role));
      if (!ms[i].contains("content")) bad(fmt::format("'{}.content' is missing", w));
      m.content = content_text(ms[i]["content"], w + ".content");
      r.messages.push_back(std::move(m));
    }
  } else {
    if (!j.contains("prompt")) bad("'prompt' is missing");
    const json& p = j["prompt"];
    // One prompt per request: OpenAI's batch of prompts (an array) only as an array of one.
    if (p.is_array() && p.size() == 1 && p[0].is_string()) r.prompt = p[0].get<std::string>();
    else if (p.is_string()) r.prompt = p.get<std::string>();
    else bad(fmt::format("'prompt' must be a string, got {}", p.is_array() ? "an array (one prompt per request)" : got(p)));
  }
  if (has("stream")) {
    if (!j["stream"].is_boolean()) bad(fmt::format("'stream' must be a boolean, got {}", got(j["stream"])));
    r.stream = j["stream"].get<bool>();
  }
  constexpr int kMaxTokens = 1000000;
  const char* max_key = chat && has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  if (has(max_key)) r.max_tokens = static_cast<int>(integer(j, max_key, 1, kMaxTokens));
  if (has("temperature")) r.temperature = static_cast<float>(number(j, "temperature", 0, 100));
  if (has("top_p")) {
    r.top_p = static_cast<float>(number(j, "top_p", 0, 1));
    if (r.top_p <= 0) bad("'top_p' must be in (0, 1], got 0");
  }
  if (has("top_k")) r.top_k = static_cast<int>(integer(j, "top_k", 0, 1000000));
  if (has("seed")) r.seed = static_cast<uint64_t>(integer(j, "seed", 0, std::numeric_limits<int64_t>::max()));
  if (has("n") && integer(j, "n", 1, 1) != 1) bad("'n' must be 1");
  if (has("stop")) {
    const json& s = j["stop"];
    if (s.is_string()) r.stop.push_back(s.get<std::string>());
    else if (s.is_array()) {
      if (s.size() > kMaxStopStrings) bad(fmt::format("'stop' holds {} strings; at most {}", s.size(), kMaxStopStrings));
      for (size_t i = 0; i < s.size(); ++i) r.stop.push_back(string(s[i], fmt::format("stop[{}]", i)));
    } else bad(fmt::format("'stop' must be a string or an array of strings, got {}", got(s)));
    for (const auto& x : r.stop)
      if (x.empty()) bad("'stop' strings must not be empty");
  }
  return r;
}

}  // namespace airtp::serve
