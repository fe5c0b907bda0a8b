#include "runtime/perplexity.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "runtime/sampler.h"
#include "util/parameter_error.h"

namespace airtp {

Mean mean_and_stderr(const std::vector<double>& v) {
  Mean m;
  if (v.empty()) return m;
  double s = 0;
  for (double x : v) s += x;
  m.mean = s / static_cast<double>(v.size());
  if (v.size() > 1) {
    double q = 0;
    for (double x : v) q += (x - m.mean) * (x - m.mean);
    m.stderr_ = std::sqrt(q / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
  }
  return m;
}

namespace {

// log-softmax of one row, in double for the accuracy of small probabilities.
void log_softmax(const float* logits, int n, std::vector<double>& out) {
  out.resize(static_cast<size_t>(n));
  const double mx = *std::max_element(logits, logits + n);
  double z = 0;
  for (int i = 0; i < n; ++i) z += std::exp(logits[i] - mx);
  const double lz = mx + std::log(z);
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = logits[i] - lz;
}

// Exact single-device inference of the same model, on the root only, sharing the thread pool.
std::unique_ptr<Session> reference_session(Session& s, int ctx) {
  RunConfig rc;
  rc.ctx = ctx;
  rc.devices = 1;
  rc.allreduce = "exact";
  return std::make_unique<Session>(s.shared_model(), rc, &s.pool());
}

}  // namespace

const char* chunking_name(const PerplexityOptions& opt) { return opt.bos_before_text ? "llama.cpp" : "text-only"; }

PerplexityResult evaluate_perplexity(Session& s, const std::vector<int>& text_tokens, const PerplexityOptions& opt,
                                     const std::function<void(int, int, double)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  Engine& eng = s.engine();
  const int ctx = opt.chunk_tokens > 0 ? opt.chunk_tokens : eng.max_ctx();
  if (ctx > eng.max_ctx() || ctx < 8)
    throw ParameterError("chunk_tokens", fmt::format("{} is outside 8..{} (the run's context)", ctx, eng.max_ctx()));
  // As llama-perplexity: BOS only for vocabularies that start sequences with it (not GPT-2's);
  // token-id models without a tokenizer use id 1, llama2.c's BOS.
  const Tokenizer& tok = s.model().tokenizer;
  const bool use_bos = tok.empty() || (tok.add_bos() && tok.bos() >= 0);
  const int bos = tok.empty() ? 1 : tok.bos();
  std::vector<int> with_bos;
  if (opt.bos_before_text && use_bos) {
    with_bos.reserve(text_tokens.size() + 1);
    with_bos.push_back(bos);
    with_bos.insert(with_bos.end(), text_tokens.begin(), text_tokens.end());
  }
  const std::vector<int>& tokens = opt.bos_before_text && use_bos ? with_bos : text_tokens;
  int chunks = static_cast<int>(tokens.size() / static_cast<size_t>(ctx));
  if (opt.max_chunks > 0) chunks = std::min(chunks, opt.max_chunks);
  if (chunks < 1)
    throw ParameterError("chunk_tokens", fmt::format("{}: the text has {} tokens, fewer than one chunk of that many",
                                                     ctx, tokens.size()));
  const int vocab = eng.config().vocab_size;
  const int first = opt.score_all ? 0 : ctx / 2;

  std::unique_ptr<Session> ref;
  if (opt.kl && s.is_root()) ref = reference_session(s, ctx);

  std::vector<double> nll, ref_nll, kl;
  long long agree = 0;
  double kl_max = 0;
  std::vector<double> lp, lq;
  std::vector<int> chunk(static_cast<size_t>(ctx));
  for (int c = 0; c < chunks; ++c) {
    std::copy_n(tokens.begin() + static_cast<long>(c) * ctx, ctx, chunk.begin());
    if (use_bos) chunk[0] = bos;
    const auto logits = eng.forward(chunk, 0, true);
    if (!s.is_root()) continue;
    std::vector<float> ref_logits;
    if (ref) ref_logits = ref->engine().forward(chunk, 0, true);
    for (int j = first; j < ctx - 1; ++j) {
      const int next = chunk[static_cast<size_t>(j + 1)];
      const float* row = &logits[static_cast<size_t>(j) * vocab];
      log_softmax(row, vocab, lq);
      nll.push_back(-lq[static_cast<size_t>(next)]);
      if (ref) {
        const float* rrow = &ref_logits[static_cast<size_t>(j) * vocab];
        log_softmax(rrow, vocab, lp);
        ref_nll.push_back(-lp[static_cast<size_t>(next)]);
        double d = 0;
        for (int i = 0; i < vocab; ++i) d += std::exp(lp[i]) * (lp[i] - lq[i]);
        d = std::max(d, 0.0);  // rounding can make a zero divergence slightly negative
        kl.push_back(d);
        kl_max = std::max(kl_max, d);
        agree += argmax(std::span<const float>(row, vocab)) == argmax(std::span<const float>(rrow, vocab));
      }
    }
    if (progress) progress(c + 1, chunks, std::exp(mean_and_stderr(nll).mean));
  }

  PerplexityResult r;
  r.chunks = chunks;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!s.is_root()) return r;
  r.tokens_scored = static_cast<long long>(nll.size());
  r.nll = mean_and_stderr(nll);
  r.ppl = std::exp(r.nll.mean);
  r.ppl_stderr = r.ppl * r.nll.stderr_;
  if (ref) {
    r.has_kl = true;
    const Mean rn = mean_and_stderr(ref_nll);
    r.ref_ppl = std::exp(rn.mean);
    r.ref_ppl_stderr = r.ref_ppl * rn.stderr_;
    r.kl = mean_and_stderr(kl);
    r.kl_max = kl_max;
    r.top1_agreement = static_cast<double>(agree) / static_cast<double>(kl.size());
  }
  return r;
}

}  // namespace airtp
