// airtp bench: prefill/decode tokens/s of the whole model, llama-bench style.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "cli/run_options.h"
#include "runtime/bench.h"
#include "runtime/session.h"

namespace airtp::cli {
namespace {

struct Options {
  RunOptions run;
  BenchOptions bench;
  bool json = false;
  bool bandwidth = true;
};

int run(const Options& o) {
  const auto session = open_session(o.run);
  Session& s = *session;
  const auto r = run_bench(s, o.bench);
  if (!s.is_root()) return 0;
  const double bw = o.bandwidth ? measure_read_bandwidth_gbs(s.pool()) : 0.0;
  const auto& c = s.model().config;
  if (o.json) {
    auto j = to_json(r);
    j["model"] = s.model().path;
    j["weight_type"] = std::string(dtype_name(s.model().weight_type));
    j["params"] = c.total_params();
    j["devices"] = s.transport().n_devices();
    j["transport"] = s.transport().name();
    j["allreduce"] = s.allreduce().name();
    j["threads"] = s.pool().size();
    j["repetitions"] = o.bench.repetitions;
    j["prompt_tokens"] = o.bench.prompt_tokens;
    j["gen_tokens"] = o.bench.gen_tokens;
    if (o.bandwidth) {
      j["machine_read_bandwidth_gbs"] = bw;
      j["decode_bandwidth_fraction"] = r.decode_bandwidth_gbs / bw;
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("| model | type | params | devices | all-reduce | threads | test | t/s (median [min, max]) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  auto row = [&](const char* test, const BenchStat& st) {
    std::printf("| %s | %s | %.2fM | %d | %s | %d | %s | %.1f [%.1f, %.1f] |\n", c.name.c_str(),
                std::string(dtype_name(s.model().weight_type)).c_str(), c.total_params() / 1e6, s.transport().n_devices(),
                s.allreduce().name().c_str(), s.pool().size(), test, st.median, st.min, st.max);
  };
  row(fmt::format("pp{}", o.bench.prompt_tokens).c_str(), r.prefill_tps);
  row(fmt::format("tg{}", o.bench.gen_tokens).c_str(), r.decode_tps);
  row(fmt::format("tg{} simulated", o.bench.gen_tokens).c_str(), r.decode_simulated_tps);
  std::printf("\ndecode streams %.1f MB of weights per token: %.2f GB/s", r.weight_bytes / 1e6, r.decode_bandwidth_gbs);
  if (o.bandwidth) std::printf(" = %.0f%% of this machine's measured read bandwidth (%.2f GB/s)", 100 * r.decode_bandwidth_gbs / bw, bw);
  std::printf("\n'simulated' = devices running concurrently: slowest device per step + modelled link time.\n");
  std::printf("decode, last repetition:\n%s", to_text(r.decode_per_token).c_str());
  return 0;
}

const Register reg{{"bench", "Measure prefill and decode tokens/s of the whole model (median of repetitions)",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      add_run_options(app, o->run);
                      // llama-bench's spellings: -p prompt tokens, -n generated tokens, -r repetitions.
                      add_parameter(app, "-r,--repetitions", "repetitions", o->bench.repetitions, "Repetitions (after one warm-up)", "1..1000")->capture_default_str();
                      add_parameter(app, "-p,--n-prompt,--prompt-tokens", "prompt_tokens", o->bench.prompt_tokens,
                                    "Prompt tokens of the prefill test", "1..the context")->capture_default_str();
                      add_parameter(app, "-n,--n-gen,--gen-tokens", "gen_tokens", o->bench.gen_tokens,
                                    "Tokens generated in the decode test", "1..the context")->capture_default_str();
                      app.add_flag("!--no-bandwidth", o->bandwidth, "Skip measuring the machine's memory bandwidth");
                      app.add_flag("--json", o->json, "Print one JSON document");
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
