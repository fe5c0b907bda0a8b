#include "runtime/generation.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "runtime/sampler.h"

namespace airtp {
namespace {

using Clock = std::chrono::steady_clock;

// Engine stats are gathered (a collective) and reset after every token so each token's cost is
// its own; these sums rebuild the whole decode's.
void add(EngineStats& sum, const EngineStats& e) {
  sum.device_compute_s.resize(std::max(sum.device_compute_s.size(), e.device_compute_s.size()), 0.0);
  for (size_t i = 0; i < e.device_compute_s.size(); ++i) sum.device_compute_s[i] += e.device_compute_s[i];
  sum.parallel_compute_s += e.parallel_compute_s;
  sum.head_s += e.head_s;
  sum.wall_s += e.wall_s;
  sum.tokens += e.tokens;
  sum.forward_calls += e.forward_calls;
}

void add(std::vector<uint64_t>& sum, const std::vector<uint64_t>& v) {
  sum.resize(std::max(sum.size(), v.size()), 0);
  for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
}

void add(AllReduceStats& sum, const AllReduceStats& a) {
  sum.calls += a.calls;
  sum.values += a.values;
  add(sum.bytes_sent, a.bytes_sent);
  add(sum.bytes_recv, a.bytes_recv);
  add(sum.model_bytes_sent, a.model_bytes_sent);
  add(sum.model_bytes_recv, a.model_bytes_recv);
  sum.bytes_measured = a.bytes_measured;
  sum.link_time_s += a.link_time_s;
  sum.machinery_time_s += a.machinery_time_s;
  sum.error_measured = a.error_measured;
  sum.err_sq += a.err_sq;
  sum.ref_sq += a.ref_sq;
}

// Bytes at the end of `text` that begin a UTF-8 character not yet complete.
size_t incomplete_utf8(const std::string& text) {
  const size_t n = text.size();
  for (size_t back = 1; back <= std::min<size_t>(n, 4); ++back) {
    const auto c = static_cast<unsigned char>(text[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back for the lead
    const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return len > back ? back : 0;
  }
  return 0;
}

}  // namespace

size_t held_back(const std::string& text, const std::vector<std::string>& stop) {
  size_t hold = incomplete_utf8(text);
  for (const auto& s : stop)
    for (size_t k = std::min(s.size() - 1, text.size()); k > hold; --k)
      if (text.compare(text.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
  return hold;
}

GenerationResult generate(Session& s, const GenerationParams& p, const std::function<bool(const TokenEvent&)>& on_token,
                          const std::function<void(int index)>& on_step) {
  Engine& eng = s.engine();
  const auto& tok = s.model().tokenizer;
  const bool root = s.is_root();
  if (p.prompt.empty()) throw std::invalid_argument("generate: empty prompt");
  if (p.max_tokens < 1 || static_cast<long long>(p.prompt.size()) + p.max_tokens > eng.max_ctx())
    throw std::invalid_argument(fmt::format("generate: {} prompt tokens + {} exceed the context of {}", p.prompt.size(),
                                            p.max_tokens, eng.max_ctx()));
  Sampler sampler(p.temperature, p.top_p, p.seed, p.top_k);
  GenerationResult r;
  r.prompt_tokens = static_cast<int>(p.prompt.size());

  eng.reset_stats();
  auto t0 = Clock::now();
  auto logits = eng.forward(p.prompt, 0);
  r.prefill_s = std::chrono::duration<double>(Clock::now() - t0).count();
  eng.gather_stats();
  r.prefill = account(eng.stats(), s.allreduce().stats(), static_cast<long long>(p.prompt.size()));
  eng.reset_stats();

  const int n_devices = s.transport().n_devices();
  EngineStats engine_sum;
  engine_sum.device_compute_s.assign(static_cast<size_t>(n_devices), 0.0);
  AllReduceStats allreduce_sum;
  allreduce_sum.reset(n_devices);
  TokenAccounting last_cost = r.prefill;
  std::string pending;  // decoded, not yet released
  int prev = p.prompt.back();
  long long decoded = 0;
  r.finish_reason = "length";
  t0 = Clock::now();
  for (int i = 0; i < p.max_tokens; ++i) {
    if (on_step) on_step(i);
    int next = root ? sampler.sample(logits) : 0;
    next = s.share_token(next);  // every rank has the same token: all stop together
    if ((!p.ignore_eos && !tok.empty() && tok.is_end_of_generation(next)) ||
        std::find(p.end_tokens.begin(), p.end_tokens.end(), next) != p.end_tokens.end()) {
      r.finish_reason = "stop";
      break;
    }
    ++r.completion_tokens;
    r.tokens.push_back(next);
    // The root decides whether to go on (a stop string, a cancelled client); every rank follows.
    int decision = 0;  // 0 go on, 1 stop string, 2 cancelled
    if (root) {
      pending += tok.empty() ? fmt::format("{} ", next) : tok.decode(prev, next);
      size_t cut = std::string::npos;
      for (const auto& st : p.stop) cut = std::min(cut, pending.find(st));
      TokenEvent ev{next, i, "", last_cost, i == 0};
      if (cut != std::string::npos) {
        ev.text = pending.substr(0, cut);
        pending.clear();
        decision = 1;
      } else {
        const size_t keep = held_back(pending, p.stop);
        ev.text = pending.substr(0, pending.size() - keep);
        pending.erase(0, pending.size() - keep);
      }
      r.text += ev.text;
      if (!on_token(ev)) decision = 2;
    }
    decision = s.share_token(decision);
    if (decision != 0) {
      r.finish_reason = decision == 1 ? "stop" : "cancelled";
      break;
    }
    prev = next;
    if (i + 1 < p.max_tokens) {
      logits = eng.forward(std::span<const int>(&next, 1), static_cast<int>(p.prompt.size()) + i);
      ++decoded;
      if (p.per_token_cost) {
        eng.gather_stats();
        last_cost = account(eng.stats(), s.allreduce().stats(), 1);
        add(engine_sum, eng.stats());
        add(allreduce_sum, s.allreduce().stats());
        eng.reset_stats();
      } else {
        last_cost = TokenAccounting{};
      }
    }
  }
  r.decode_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!p.per_token_cost) {
    eng.gather_stats();
    add(engine_sum, eng.stats());
    add(allreduce_sum, s.allreduce().stats());
  }
  // What a stop string could still have claimed is part of the answer after all.
  if (r.finish_reason != "cancelled") r.text += pending;
  r.decode = account(engine_sum, allreduce_sum, decoded);
  return r;
}

}  // namespace airtp
