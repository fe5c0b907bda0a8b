// One completion on a Session: prefill, then a token at a time until an end token, a stop
// string, max_tokens or the caller cancels; the text released as it becomes final, each token
// with what it cost. Every process of the job runs it (the root samples and decides, the others
// follow through Session::share_token), so it works in-process and under MPI alike. `airtp
// generate` and `airtp serve` both decode through it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "runtime/token_accounting.h"

namespace airtp {

struct GenerationParams {
  std::vector<int> prompt;
  int max_tokens = 16;
  float temperature = 1.0f, top_p = 1.0f;
  int top_k = 0;
  uint64_t seed = 0;
  std::vector<std::string> stop;   // text that ends the answer (not part of it)
  std::vector<int> end_tokens;     // besides the vocabulary's EOS/EOT (a template's end of turn)
  bool ignore_eos = false;         // the vocabulary's EOS/EOT do not end the answer
  // Gather the cost after every token (a collective per token under MPI) so that each event
  // carries its own; otherwise once at the end, and events after the first carry none.
  bool per_token_cost = true;
};

struct TokenEvent {
  int token = 0;
  int index = 0;           // 0-based position in the answer
  // Text released with this token: "" while it may still be part of a stop string or UTF-8
  // character. A model without a tokenizer releases the id and a space.
  std::string text;
  // Cost of the forward pass that produced this token's logits: the prefill for the first.
  TokenAccounting cost;
  bool from_prefill = false;
};

struct GenerationResult {
  std::vector<int> tokens;    // the answer's tokens (no end token)
  std::string text;
  std::string finish_reason;  // "stop" (end token or stop string), "length", "cancelled"
  int prompt_tokens = 0, completion_tokens = 0;
  TokenAccounting prefill, decode;  // decode: per token over the forward passes after the prefill
  double prefill_s = 0, decode_s = 0;
};

// on_token (root only) returns false to cancel, e.g. when the client has gone. on_step (every
// process, before token `index` is sampled) is for test hooks. The prompt must fit:
// prompt.size() + max_tokens <= the engine's context (checked, std::invalid_argument).
GenerationResult generate(Session& s, const GenerationParams& p, const std::function<bool(const TokenEvent&)>& on_token,
                          const std::function<void(int index)>& on_step = {});

// How many bytes at the end of `text` must wait: the start of a stop string or of a UTF-8
// character whose other bytes have not come yet.
size_t held_back(const std::string& text, const std::vector<std::string>& stop);

}  // namespace airtp
