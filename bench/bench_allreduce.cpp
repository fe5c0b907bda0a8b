// Cost of the all-reduce machinery itself (no link time): what each scheme adds to a token on
// this machine, per call, for the vector lengths of real models.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "comm/aircomp.h"
#include "comm/schemes.h"

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

void run(benchmark::State& state, AllReduce& ar, int n, size_t d) {
  Partials p(n, d);
  const auto pristine = p.data;
  ar.reduce(p.spans);  // warm-up: AirComp solves its one channel block's design here
  for (auto _ : state) {
    // Each call overwrites the partials with their sum; restore them so values stay bounded.
    state.PauseTiming();
    for (size_t i = 0; i < pristine.size(); ++i) std::copy(pristine[i].begin(), pristine[i].end(), p.data[i].begin());
    state.ResumeTiming();
    ar.reduce(p.spans);
    benchmark::DoNotOptimize(p.data[0].data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d) * n);
}

void BM_exact(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto t = make_inprocess_transport(n);
  auto ar = make_exact_allreduce(*t);
  run(state, *ar, n, static_cast<size_t>(state.range(1)));
}

void BM_digital8(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto t = make_inprocess_transport(n);
  auto ar = make_digital_allreduce(*t, BlockQuantizer{8, 32}, DigitalTopology::WirelessStar);
  run(state, *ar, n, static_cast<size_t>(state.range(1)));
}

// One channel block for the whole run: the signal path alone (design cost is in
// bench_transceiver).
void BM_aircomp_signal(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto t = make_inprocess_transport(n);
  AirCompOptions o;
  o.wireless = default_wireless_config(n);
  o.coherence_calls = 1 << 30;
  auto ar = make_aircomp_allreduce(*t, o);
  run(state, *ar, n, static_cast<size_t>(state.range(1)));
}

void args(benchmark::internal::Benchmark* b) {
  for (int n : {2, 4, 8})
    for (int d : {256, 4096}) b->Args({n, d});
}

BENCHMARK(BM_exact)->Apply(args);
BENCHMARK(BM_digital8)->Apply(args);
BENCHMARK(BM_aircomp_signal)->Apply(args);

}  // namespace
