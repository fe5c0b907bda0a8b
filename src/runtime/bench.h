// Whole-model speed, llama-bench style: prefill of P tokens and decode of G tokens, repeated,
// reported as median and spread. Also the machine's memory read bandwidth, because decode is
// memory-bound and the fraction of it that decode reaches is the figure of merit.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "runtime/session.h"
#include "runtime/token_accounting.h"

namespace airtp {

struct BenchOptions {
  int prompt_tokens = 64;
  int gen_tokens = 32;
  int repetitions = 5;
};

struct BenchStat {
  double median = 0, min = 0, max = 0;
  std::vector<double> samples;
};

struct BenchResult {
  BenchStat prefill_tps, decode_tps;          // measured wall tokens/s of this process
  BenchStat decode_simulated_tps;             // slowest-device compute + modelled link time
  double weight_bytes = 0;                    // bytes of all layer weights + head
  double decode_bandwidth_gbs = 0;            // weight_bytes * median decode tokens/s
  TokenAccounting decode_per_token;           // of the last repetition: compute, sync, bytes
};

BenchResult run_bench(Session& s, const BenchOptions& opt);
BenchStat summarize(std::vector<double> samples);

// Read bandwidth of this machine in GB/s: a large buffer summed by every thread of the pool.
double measure_read_bandwidth_gbs(ThreadPool& pool, size_t bytes = size_t{512} << 20);

nlohmann::json to_json(const BenchResult& r);

}  // namespace airtp
