// airtp generate: text generation with prefill/decode speed and per-token accounting.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "cli/run_options.h"
#include "runtime/generation.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "runtime/token_accounting.h"
#include "tp/shard.h"
#include "util/parameter_error.h"

namespace airtp::cli {
namespace {

struct GenerateOptions {
  RunOptions run;
  std::string prompt = "In the beginning";
  std::string token_ids;  // for models without a tokenizer
  int steps = 64;
  float temperature = 0.8f, top_p = 0.9f;
  int top_k = 0;
  int64_t seed = 42;  // -1: a random seed, printed so the run can be repeated
  bool json = false;
  bool ignore_eos = false;  // llama.cpp's --ignore-eos: always predict n tokens
  bool prompt_given = false, token_ids_given = false;
};

constexpr int kMaxPredict = 1000000;

uint64_t sampling_seed(int64_t seed) {
  if (seed >= 0) return static_cast<uint64_t>(seed);
  if (seed != -1) throw ParameterError("seed", fmt::format("{} is outside -1..{} (-1 = random)", seed, INT64_MAX));
  std::random_device rd;
  // Printable and re-enterable as --seed: below 2^63.
  return ((static_cast<uint64_t>(rd()) << 32) | rd()) >> 1;
}

std::vector<int> parse_ids(const std::string& s) {
  if (s.empty()) throw ParameterError("token_ids", "is empty (expected e.g. 1,450,1200)");
  std::vector<int> ids;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      ids.push_back(std::stoi(item));
    } catch (const std::exception&) {
      throw ParameterError("token_ids", fmt::format("'{}' is not an integer", item));
    }
  }
  return ids;
}

// Test hook for the failure-handling tests: AIRTP_FAULT_INJECT="device:step:exit|stall" makes
// the process running that device die or hang at that decode step, as a crashed or frozen
// edge device would.
void maybe_inject_fault(const Session& s, int step) {
  static const char* spec = std::getenv("AIRTP_FAULT_INJECT");
  if (!spec) return;
  int device = -1, at = -1;
  char mode[16] = {};
  if (std::sscanf(spec, "%d:%d:%15s", &device, &at, mode) != 3 || at != step) return;
  for (int d : s.transport().local_devices()) {
    if (d != device) continue;
    if (std::string(mode) == "exit") std::_Exit(9);
    if (std::string(mode) == "stall") std::this_thread::sleep_for(std::chrono::hours(1));
  }
}

nlohmann::json memory_json(const std::vector<DeviceMemory>& mem) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& m : mem)
    a.push_back({{"weights_bytes", m.weights}, {"kv_cache_bytes", m.kv_cache}, {"output_head_bytes", m.output_head},
                 {"holds_bytes", m.weights + m.kv_cache + m.output_head}, {"process_peak_rss_bytes", m.process_peak_rss}});
  return {{"devices", a}, {"embedding", "looked up in place in the mapped file by every device"},
          {"output_head", "device 0"}};
}

std::string memory_text(const std::vector<DeviceMemory>& mem) {
  constexpr double MB = 1e6;
  std::string out = "  memory (embedding looked up in place by every device; output head on device 0):\n";
  for (size_t d = 0; d < mem.size(); ++d) {
    const auto& m = mem[d];
    out += fmt::format("    device {}: holds {:.1f} MB = weights {:.1f} + KV cache {:.1f}{}; process peak RSS {:.1f} MB\n", d,
                       (m.weights + m.kv_cache + m.output_head) / MB, m.weights / MB, m.kv_cache / MB,
                       m.output_head > 0 ? fmt::format(" + output head {:.1f}", m.output_head / MB) : "",
                       m.process_peak_rss / MB);
  }
  return out;
}

int run(const GenerateOptions& o) {
  if (o.steps < 1 || o.steps > kMaxPredict)
    throw ParameterError("steps", fmt::format("{} is outside 1..{}", o.steps, kMaxPredict));
  if (o.prompt_given && o.token_ids_given)
    throw ParameterError("token_ids", "and --prompt are both given; give one");
  const uint64_t seed = sampling_seed(o.seed);
  Sampler(o.temperature, o.top_p, seed, o.top_k);  // checks the sampling flags before the model loads
  const auto session = open_session(o.run);
  Session& s = *session;
  Engine& eng = s.engine();
  const auto& tok = s.model().tokenizer;
  if (o.prompt_given && tok.empty())
    throw ParameterError("prompt", fmt::format("needs a tokenizer: model '{}' carries none (give --tokenizer, or the "
                                               "prompt as --token-ids)",
                                               s.model().path));
  std::vector<int> prompt;
  if (o.token_ids_given) prompt = parse_ids(o.token_ids);
  else if (!tok.empty()) prompt = tok.encode(o.prompt, tok.add_bos());
  else prompt = {1};  // BOS: the model carries no tokenizer
  if (prompt.empty())  // a vocabulary without BOS and an empty prompt: nothing to continue
    throw ParameterError("prompt", "is empty and this vocabulary adds no BOS token: give some text");
  if (static_cast<int>(prompt.size()) + o.steps > eng.max_ctx())
    throw ParameterError("steps", fmt::format("{} plus the prompt's {} tokens exceed the context of {} tokens", o.steps,
                                              prompt.size(), eng.max_ctx()));
  const bool root = s.is_root();
  const auto& cfg = s.model().config;
  if (root && !o.json) {
    std::fprintf(stderr, "model: %s (%s, %s, %s): %d layers, dim %d, %d heads / %d KV heads, vocab %d, %.2fM parameters\n",
                 cfg.name.c_str(), s.model().path.c_str(), s.model().format.c_str(), std::string(dtype_name(s.model().weight_type)).c_str(),
                 cfg.n_layers, cfg.dim, cfg.n_heads, cfg.n_kv_heads, cfg.vocab_size, cfg.total_params() / 1e6);
    if (o.seed == -1) std::fprintf(stderr, "seed: %llu (random; --seed %llu repeats this run)\n",
                                   static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    std::fprintf(stderr, "devices: %d (%s; %s), all-reduce: %s, threads: %d\n%s", s.transport().n_devices(),
                 s.transport().name().c_str(), transport_note(o.run).c_str(), s.allreduce().name().c_str(), s.pool().size(),
                 (eng.plan().describe(cfg) + describe_block_cuts(s.model(), eng.plan())).c_str());
  }

  if (root && !o.json && !tok.empty()) {
    std::fputs(tok.decode(prompt).c_str(), stdout);
    std::fflush(stdout);
  }
  GenerationParams gp;
  gp.prompt = prompt;
  gp.max_tokens = o.steps;
  gp.temperature = o.temperature;
  gp.top_p = o.top_p;
  gp.top_k = o.top_k;
  gp.seed = seed;
  gp.ignore_eos = o.ignore_eos;
  gp.per_token_cost = false;  // the run's totals are reported, and under MPI a gather per token would cost a collective
  // As llama.cpp, generation ends at an end-of-generation token (EOS or end of turn), not printed.
  size_t printed = 0;
  const GenerationResult r = generate(
      s, gp,
      [&](const TokenEvent& ev) {
        if (!o.json) {
          std::fputs(ev.text.c_str(), stdout);
          std::fflush(stdout);
          printed += ev.text.size();
        }
        return true;
      },
      [&](int step) { maybe_inject_fault(s, step); });
  const bool stopped_at_eos = r.finish_reason == "stop";
  const std::vector<int>& out = r.tokens;
  const auto& prefill = r.prefill;
  const auto& decode = r.decode;
  const double prefill_s = r.prefill_s, decode_s = r.decode_s;
  const long long decoded = decode.tokens;
  const auto memory = eng.memory_footprint();  // collective
  if (!root) return 0;

  const auto warnings = run_warnings(s);
  const double prefill_tps = static_cast<double>(prompt.size()) / prefill_s;
  const double decode_tps = decoded > 0 ? static_cast<double>(decoded) / decode_s : 0.0;
  if (o.json) {
    nlohmann::json j = {{"model", s.model().path},
                        {"devices", s.transport().n_devices()},
                        {"transport", s.transport().name()},
                        {"allreduce", s.allreduce().name()},
                        {"shares", eng.plan().realised_shares(cfg)},
                        {"prompt_tokens", prompt},
                        {"tokens", out},
                        {"stop", stopped_at_eos ? "eos" : "n_predict"},
                        {"seed", seed},
                        {"warnings", warnings},
                        {"text", tok.empty() ? "" : tok.decode(out)},
                        {"prefill", {{"tokens", prompt.size()}, {"seconds", prefill_s}, {"tokens_per_s", prefill_tps}, {"per_token", to_json(prefill)}}},
                        {"memory", memory_json(memory)},
                        {"decode", {{"tokens", decoded}, {"seconds", decode_s}, {"tokens_per_s", decode_tps}, {"per_token", to_json(decode)}}}};
    std::cout << j.dump(2) << "\n";
  } else {
    // What was held back (a UTF-8 character cut short at the last token), and a newline so that
    // a shell prompt or the next output starts on a line of its own.
    std::fputs((r.text.substr(std::min(printed, r.text.size())) + "\n").c_str(), stdout);
    std::fflush(stdout);
    if (stopped_at_eos) std::fprintf(stderr, "\n[end of text after %zu tokens]\n", out.size());
    std::fprintf(stderr, "\nprefill: %zu tokens in %.1f ms (%.1f tokens/s)\n", prompt.size(), 1e3 * prefill_s, prefill_tps);
    std::fprintf(stderr, "decode:  %lld tokens in %.1f ms (%.1f tokens/s)\n", decoded, 1e3 * decode_s, decode_tps);
    std::fputs(to_text(decode).c_str(), stderr);
    std::fputs(memory_text(memory).c_str(), stderr);
  }
  for (const auto& w : warnings) std::fprintf(stderr, "airtp: warning: %s\n", w.c_str());
  return 0;
}

const Register reg{{"generate", "Generate text from a prompt and report prefill/decode speed and per-token sync costs",
                    [](CLI::App& app) {
                      auto o = std::make_shared<GenerateOptions>();
                      add_run_options(app, o->run);
                      auto* prompt = add_parameter(app, "-p,--prompt", "prompt", o->prompt, "Prompt text")->capture_default_str();
                      auto* ids = add_parameter(app, "--token-ids", "token_ids", o->token_ids,
                                                "Prompt as comma-separated token ids, instead of -p (models without tokenizer)");
                      add_parameter(app, "-n,--n-predict,--steps", "steps", o->steps,
                                    fmt::format("Tokens to predict, 1..{}", kMaxPredict))->capture_default_str();
                      add_parameter(app, "--temp,--temperature", "temperature", o->temperature,
                                    "Sampling temperature, 0..100 (0 = greedy)")->capture_default_str();
                      add_parameter(app, "--top-p", "top_p", o->top_p, "Nucleus sampling mass, (0, 1]")->capture_default_str();
                      add_parameter(app, "--top-k", "top_k", o->top_k,
                                    "Sample among the k most likely tokens only, 0..1000000 (0 = all)")->capture_default_str();
                      add_parameter(app, "-s,--seed", "seed", o->seed, "Sampling seed (-1 = random, printed)")->capture_default_str();
                      app.add_flag("--ignore-eos", o->ignore_eos,
                                   "Do not stop at the end-of-text token: always predict -n tokens");
                      app.add_flag("--json", o->json, "Print one JSON document instead of text");
                      return [o, prompt, ids] {
                        o->prompt_given = prompt->count() > 0;
                        o->token_ids_given = ids->count() > 0;
                        return run(*o);
                      };
                    }}};

}  // namespace
}  // namespace airtp::cli
