#include "runtime/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>

#include "runtime/token_accounting.h"
#include "util/parameter_error.h"

namespace airtp {

BenchStat summarize(std::vector<double> samples) {
  BenchStat s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  s.median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  s.min = samples.front();
  s.max = samples.back();
  s.samples = std::move(samples);
  return s;
}

BenchResult run_bench(Session& s, const BenchOptions& opt) {
  using Clock = std::chrono::steady_clock;
  if (opt.repetitions < 1 || opt.repetitions > 1000)
    throw ParameterError("repetitions", fmt::format("{} is outside 1..1000", opt.repetitions));
  if (opt.prompt_tokens < 1 || opt.gen_tokens < 1)
    throw ParameterError(opt.prompt_tokens < 1 ? "prompt_tokens" : "gen_tokens",
                         fmt::format("{} is outside 1..the context", opt.prompt_tokens < 1 ? opt.prompt_tokens : opt.gen_tokens));
  Engine& e = s.engine();
  if (opt.prompt_tokens + opt.gen_tokens > e.max_ctx())
    throw ParameterError("prompt_tokens", fmt::format("{} + gen_tokens {} exceed the context of {}", opt.prompt_tokens,
                                                      opt.gen_tokens, e.max_ctx()));
  const int vocab = e.config().vocab_size;
  // Fixed pseudo-random tokens: speed does not depend on the text.
  std::vector<int> prompt(static_cast<size_t>(opt.prompt_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int>((i * 7919 + 13) % static_cast<size_t>(vocab));
  prompt[0] = 1;
  std::vector<double> pre, dec, sim;
  BenchResult res;
  for (int r = 0; r < opt.repetitions + 1; ++r) {  // the first round warms caches and is dropped
    auto t0 = Clock::now();
    e.forward(prompt, 0);
    const double tp = std::chrono::duration<double>(Clock::now() - t0).count();
    e.reset_stats();
    t0 = Clock::now();
    for (int g = 0; g < opt.gen_tokens; ++g) {
      const int tok = static_cast<int>((g * 31 + 7) % vocab);
      e.forward(std::span<const int>(&tok, 1), opt.prompt_tokens + g);
    }
    const double td = std::chrono::duration<double>(Clock::now() - t0).count();
    e.gather_stats();
    const auto acct = account(e.stats(), s.allreduce().stats(), opt.gen_tokens);
    if (r == 0) continue;
    pre.push_back(opt.prompt_tokens / tp);
    dec.push_back(opt.gen_tokens / td);
    sim.push_back(1e3 / acct.simulated_ms());
    res.decode_per_token = acct;
  }
  res.prefill_tps = summarize(pre);
  res.decode_tps = summarize(dec);
  res.decode_simulated_tps = summarize(sim);
  for (size_t d = 0; d < e.devices().size(); ++d) res.weight_bytes += static_cast<double>(e.weight_bytes(static_cast<int>(d)));
  std::vector<double> wb = {res.weight_bytes};
  s.transport().sum(std::span<double>(wb));
  res.weight_bytes = wb[0] + static_cast<double>(s.model().weights.output.bytes());
  res.decode_bandwidth_gbs = res.weight_bytes * res.decode_tps.median / 1e9;
  return res;
}

double measure_read_bandwidth_gbs(ThreadPool& pool, size_t bytes) {
  std::vector<uint64_t> buf(bytes / sizeof(uint64_t), 1);
  std::atomic<uint64_t> sink{0};
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(static_cast<int64_t>(buf.size()), [&](int64_t b, int64_t e) {
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int64_t i = b;
      for (; i + 4 <= e; i += 4) { s0 += buf[i]; s1 += buf[i + 1]; s2 += buf[i + 2]; s3 += buf[i + 3]; }
      for (; i < e; ++i) s0 += buf[i];
      sink += s0 + s1 + s2 + s3;
    });
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(bytes) / t / 1e9);
  }
  return sink.load() ? best : best;  // the sum keeps the reads from being optimised away
}

static nlohmann::json stat_json(const BenchStat& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"samples", s.samples}};
}

nlohmann::json to_json(const BenchResult& r) {
  return {{"prefill_tokens_per_s", stat_json(r.prefill_tps)},
          {"decode_tokens_per_s", stat_json(r.decode_tps)},
          {"decode_simulated_tokens_per_s", stat_json(r.decode_simulated_tps)},
          {"weight_bytes", r.weight_bytes},
          {"decode_weight_bandwidth_gbs", r.decode_bandwidth_gbs},
          {"decode_per_token", to_json(r.decode_per_token)}};
}

}  // namespace airtp
