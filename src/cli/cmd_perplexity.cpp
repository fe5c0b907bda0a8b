// airtp perplexity: llama-perplexity-style evaluation, optionally against exact inference (KL).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "cli/run_options.h"
#include "runtime/perplexity.h"
#include "runtime/session.h"
#include "runtime/text_tokens.h"
#include "runtime/token_accounting.h"
#include "util/parameter_error.h"

namespace airtp::cli {
namespace {

constexpr int kMaxChunks = 1000000;
constexpr int kMaxChunkTokens = 1 << 20;

struct PplOptions {
  RunOptions run;
  std::string file;
  PerplexityOptions ppl;
  bool chunks_given = false;
  bool json = false;
};

int run(PplOptions o) {
  if (o.chunks_given && (o.ppl.max_chunks < 1 || o.ppl.max_chunks > kMaxChunks))
    throw ParameterError("max_chunks", fmt::format("{} is outside 1..{} (leave it out to score every chunk)",
                                                   o.ppl.max_chunks, kMaxChunks));
  // --chunk sets the context when --ctx is not given, so its range is checked here under its own name.
  if (o.ppl.chunk_tokens != 0 && (o.ppl.chunk_tokens < 8 || o.ppl.chunk_tokens > kMaxChunkTokens))
    throw ParameterError("chunk_tokens", fmt::format("{} is outside 8..{} (and at most the context)", o.ppl.chunk_tokens,
                                                     kMaxChunkTokens));
  std::error_code ec;
  if (std::filesystem::is_directory(o.file, ec))
    throw ParameterError("file", fmt::format("'{}' is a directory, not a text file", o.file));
  std::ifstream in(o.file, std::ios::binary);
  if (!in) throw ParameterError("file", fmt::format("cannot open '{}'", o.file));
  if (o.ppl.chunk_tokens > 0 && o.run.config.ctx == 0) o.run.config.ctx = o.ppl.chunk_tokens;
  const auto session = open_session(o.run);
  Session& s = *session;
  if (s.model().tokenizer.empty())
    throw ParameterError("tokenizer_path", fmt::format("is needed: model '{}' carries no tokenizer", s.model().path));
  const int ctx = o.ppl.chunk_tokens > 0 ? o.ppl.chunk_tokens : s.engine().max_ctx();
  // Only the text the scored chunks need is read and tokenized.
  const size_t want = o.ppl.max_chunks > 0 ? static_cast<size_t>(o.ppl.max_chunks) * static_cast<size_t>(ctx) : 0;
  const TextTokens text = read_tokens(s.model().tokenizer, in, want);
  if (in.bad()) throw ParameterError("file", fmt::format("error reading '{}'", o.file));
  const auto& tokens = text.tokens;
  const bool root = s.is_root();
  if (root && !o.json)
    std::fprintf(stderr,
                 "perplexity: %zu tokens from %s%zu bytes of %s, chunks of %d (%s chunking), devices %d (%s), all-reduce %s\n",
                 tokens.size(), text.whole_text ? "all " : "the first ", text.bytes_read, o.file.c_str(), ctx,
                 chunking_name(o.ppl), s.transport().n_devices(), s.transport().name().c_str(),
                 s.allreduce().name().c_str());
  const auto r = evaluate_perplexity(s, tokens, o.ppl, [&](int c, int n, double ppl) {
    if (!o.json) std::fprintf(stderr, "[%d/%d]%.4f%s", c, n, ppl, c == n ? "\n" : ",");
  });
  s.engine().gather_stats();
  if (!root) return 0;
  const auto warnings = run_warnings(s);
  const auto acct = account(s.engine().stats(), s.allreduce().stats(), static_cast<long long>(s.engine().stats().tokens));
  if (o.json) {
    nlohmann::json j = {{"file", o.file}, {"model", s.model().path}, {"devices", s.transport().n_devices()},
                        {"allreduce", s.allreduce().name()}, {"ctx", o.ppl.chunk_tokens > 0 ? o.ppl.chunk_tokens : s.engine().max_ctx()},
                        {"chunks", r.chunks}, {"chunking", chunking_name(o.ppl)}, {"tokens_scored", r.tokens_scored}, {"ppl", r.ppl},
                        {"ppl_stderr", r.ppl_stderr}, {"nll", r.nll.mean}, {"nll_stderr", r.nll.stderr_},
                        {"seconds", r.seconds}, {"per_token", to_json(acct)}, {"warnings", warnings}};
    if (r.has_kl)
      j["reference"] = {{"ppl", r.ref_ppl}, {"ppl_stderr", r.ref_ppl_stderr}, {"kl_mean", r.kl.mean},
                        {"kl_stderr", r.kl.stderr_}, {"kl_max", r.kl_max}, {"top1_agreement", r.top1_agreement}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("Final estimate: PPL = %.4f +/- %.4f  (%lld tokens scored in %d chunks, %.1f s)\n", r.ppl, r.ppl_stderr,
                r.tokens_scored, r.chunks, r.seconds);
    if (r.has_kl)
      std::printf("Exact single-device PPL = %.4f +/- %.4f\nMean KL divergence = %.6f +/- %.6f nats (max %.4f), same top token %.2f%%\n",
                  r.ref_ppl, r.ref_ppl_stderr, r.kl.mean, r.kl.stderr_, r.kl_max, 100 * r.top1_agreement);
    std::fputs(to_text(acct).c_str(), stdout);
  }
  for (const auto& w : warnings) std::fprintf(stderr, "airtp: warning: %s\n", w.c_str());
  return 0;
}

const Register reg{{"perplexity", "Perplexity of a text file (llama-perplexity style) and KL divergence to exact inference",
                    [](CLI::App& app) {
                      auto o = std::make_shared<PplOptions>();
                      add_run_options(app, o->run);
                      add_parameter(app, "-f,--file", "file", o->file, "UTF-8 text file to score")->required();
                      add_parameter(app, "--chunk", "chunk_tokens", o->ppl.chunk_tokens,
                                    "Tokens per chunk (default: --ctx-size, else the model's context)", "8..the context");
                      auto* chunks = add_parameter(app, "--chunks", "max_chunks", o->ppl.max_chunks,
                                                   "Score at most this many chunks (default: all); only the text they need is read",
                                                   fmt::format("1..{}", kMaxChunks));
                      app.add_flag("--score-all", o->ppl.score_all, "Score every token after BOS, not only the second half of each chunk");
                      app.add_flag("--text-only-chunks", [o](int64_t) { o->ppl.bos_before_text = false; },
                                   "Cut the text's tokens into chunks without llama-perplexity's leading BOS "
                                   "(airtp's method before it followed llama.cpp; the chunks start one token later)");
                      app.add_flag("--kl", o->ppl.kl, "Also run exact single-device inference: KL divergence and top-1 agreement");
                      app.add_flag("--json", o->json, "Print one JSON document");
                      return [o, chunks] {
                        o->chunks_given = chunks->count() > 0;
                        return run(*o);
                      };
                    }}};

}  // namespace
}  // namespace airtp::cli
