// The body of an OpenAI completion or chat completion request, checked field by field: a bad
// field is an ApiError (400) naming it and what was expected.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/chat_template.h"

namespace airtp::serve {

struct CompletionRequest {
  bool chat = false;
  bool stream = false;
  std::string prompt;                 // completions
  std::vector<ChatMessage> messages;  // chat completions
  std::optional<int> max_tokens;      // absent: completions 16 (OpenAI's default), chat the rest of the context
  float temperature = 1.0f, top_p = 1.0f;
  int top_k = 0;
  std::optional<uint64_t> seed;       // absent: a random one
  std::vector<std::string> stop;
};

constexpr size_t kMaxStopStrings = 4;  // as OpenAI

// `model_id`: the one model served; a request naming another is refused.
CompletionRequest parse_completion_request(std::string_view body, bool chat, const std::string& model_id);

}  // namespace airtp::serve
