// Cost of the all-reduce machinery itself (no link time): what each scheme adds to a token on
// this machine, per call, for the vector lengths of real models.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "comm/scheme.h"

namespace {

using namespace airtp;

struct Partials {
  std::vector<std::vector<float>> data;
  std::vector<std::span<float>> spans;
  Partials(int n, size_t d) : data(static_cast<size_t>(n), std::vector<float>(d)) {
    std::mt19937 rng(1);
    std::normal_distribution<float> g;
    for (auto& v : data) {
      for (auto& x : v) x = g(rng);
      spans.emplace_back(v);
    }
  }
};

// Every call in one channel block: the signal path alone (the design cost is in
// bench_transceiver).
void run(benchmark::State& state, AllReduce& ar, int n, size_t d) {
  Partials p(n, d);
  const auto pristine = p.data;
  uint64_t index = 0;
  ar.reduce(p.spans, {.index = index++});  // warm-up: AirComp solves its one channel block's design here
  for (auto _ : state) {
    // Each call overwrites the partials with their sum; restore them so values stay bounded.
    state.PauseTiming();
    for (size_t i = 0; i < pristine.size(); ++i) std::copy(pristine[i].begin(), pristine[i].end(), p.data[i].begin());
    state.ResumeTiming();
    ar.reduce(p.spans, {.index = index++});
    benchmark::DoNotOptimize(p.data[0].data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d) * n);
}

// Every registered scheme (defaults of its options), in-process.
void BM_scheme(benchmark::State& state, const std::string& name) {
  const int n = static_cast<int>(state.range(0));
  auto t = make_inprocess_transport(n);
  LinkConfig link;
  link.radio = default_wireless_config(n);
  auto ar = make_allreduce(choose_scheme(name), *t, link);
  run(state, *ar, n, static_cast<size_t>(state.range(1)));
}

void args(benchmark::internal::Benchmark* b) {
  for (int n : {2, 4, 8})
    for (int d : {256, 4096}) b->Args({n, d});
}

const bool registered = [] {
  for (const auto& name : scheme_names())
    benchmark::RegisterBenchmark(("BM_" + name).c_str(), BM_scheme, name)->Apply(args);
  return true;
}();

}  // namespace
