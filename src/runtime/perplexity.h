// Accuracy of a run, measured as llama.cpp's llama-perplexity does: the text is tokenized once
// with BOS in front, the token stream is cut into chunks of ctx tokens, each chunk's first token
// is replaced by BOS, and the tokens of the second half of each chunk are scored (so every scored token sees at least ctx/2 tokens of context). Optionally
// every scored position is also compared with exact single-device inference (KL divergence of
// the reference distribution to ours, and top-1 agreement), like llama-perplexity
// --kl-divergence.
#pragma once
#include <functional>
#include <vector>

#include "runtime/session.h"

namespace airtp {

struct PerplexityOptions {
  int chunk_tokens = 0;      // tokens per chunk (0 = the session's context)
  int max_chunks = 0;        // 0 = all
  bool score_all = false;    // score every token after BOS instead of the second half
  bool kl = false;           // also run exact single-device inference and compare
  // llama-perplexity's stream: BOS, then the text's tokens. False gives airtp's first method
  // (the text's tokens alone), whose chunks start one token later: same text, other numbers.
  bool bos_before_text = true;
};

// How the chunks were formed, for reports: "llama.cpp" or "text-only".
const char* chunking_name(const PerplexityOptions& opt);

struct Mean {
  double mean = 0, stderr_ = 0;  // standard error of the mean
};

struct PerplexityResult {
  long long tokens_scored = 0;
  int chunks = 0;
  double ppl = 0, ppl_stderr = 0;  // exp(mean NLL), its error by the delta method
  Mean nll;
  bool has_kl = false;
  double ref_ppl = 0, ref_ppl_stderr = 0;
  Mean kl;                 // nats per token
  double kl_max = 0;
  double top1_agreement = 0;  // fraction of positions with the same argmax
  double seconds = 0;
};

// Runs on every process of the job (the forward pass is collective); results are complete on
// the root. `progress(chunk, chunks, running_ppl)` is called on the root after each chunk.
// `tokens` is the text's tokens without BOS.
PerplexityResult evaluate_perplexity(Session& s, const std::vector<int>& tokens, const PerplexityOptions& opt,
                                     const std::function<void(int, int, double)>& progress = {});

Mean mean_and_stderr(const std::vector<double>& v);

}  // namespace airtp
