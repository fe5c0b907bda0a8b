// Kernel throughput. Matrix-vector products are memory-bound, so they report weight bytes per
// second (SetBytesProcessed) to be compared with BM_stream_read, the machine's plain read
// bandwidth. Large matrices are cycled through enough copies (>= 128 MB) that no iteration
// finds its weights in the last-level cache, as in a real forward pass over a whole model.
//
// Arguments: type (the DType value, tensor/dtype.h: 0 F32, 1 F16, 2 Q8_0, ...), rows, cols, threads, path (0 portable, 1 AVX2).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "tensor/kernels.h"
#include "tensor/type_traits.h"

namespace {

using airtp::DType;
using airtp::Matrix;

constexpr size_t kColdBytes = size_t{128} << 20;

struct Xorshift {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  float uniform() { return static_cast<float>(next() >> 40) * 0x1p-24f * 2.0f - 1.0f; }
};

// Copies of one random matrix; enough of them to exceed the caches when the matrix is large.
struct Weights {
  std::vector<std::vector<uint8_t>> copies;
  std::vector<Matrix> views;
};

const Weights& weights(DType type, int rows, int cols) {
  static std::map<std::tuple<int, int, int>, std::unique_ptr<Weights>> cache;
  auto& slot = cache[{static_cast<int>(type), rows, cols}];
  if (slot) return *slot;
  slot = std::make_unique<Weights>();
  const Matrix shape{type, rows, cols, nullptr};
  const size_t bytes = shape.bytes();
  const size_t n_copies = bytes >= (size_t{4} << 20) ? (kColdBytes + bytes - 1) / bytes : 1;
  Xorshift rng{0x9e3779b97f4a7c15ull};
  std::vector<uint8_t> base(bytes);
  // Every type through its own encoder: the kernels see the value distribution real rows have.
  const airtp::TypeTraits& tr = airtp::type_traits(type);
  std::vector<float> row(static_cast<size_t>(cols));
  for (int r = 0; r < rows; ++r) {
    for (auto& f : row) f = rng.uniform();
    tr.from_float(row.data(), base.data() + shape.row_stride() * static_cast<size_t>(r), cols);
  }
  for (size_t c = 0; c < n_copies; ++c) {
    slot->copies.push_back(base);
    slot->views.push_back(Matrix{type, rows, cols, slot->copies.back().data()});
  }
  return *slot;
}

std::vector<float> activations(size_t n) {
  Xorshift rng{42};
  std::vector<float> v(n);
  for (auto& f : v) f = rng.uniform();
  return v;
}

std::string type_name(int t) { return std::string(airtp::dtype_name(static_cast<DType>(t))); }

// Selects the kernel path for one benchmark; skips AVX2 runs on CPUs without it.
bool select_path(benchmark::State& state, int64_t avx2) {
  airtp::force_portable_kernels(false);
  if (avx2 && !airtp::cpu_has_avx2_fma()) {
    state.SkipWithError("no AVX2+FMA on this CPU");
    return false;
  }
  airtp::force_portable_kernels(!avx2);
  return true;
}

void BM_matvec(benchmark::State& state) {
  const auto type = static_cast<DType>(state.range(0));
  const int rows = static_cast<int>(state.range(1)), cols = static_cast<int>(state.range(2));
  airtp::ThreadPool pool(static_cast<int>(state.range(3)));
  if (!select_path(state, state.range(4))) return;
  const Weights& w = weights(type, rows, cols);
  const auto x = activations(static_cast<size_t>(cols));
  std::vector<float> y(static_cast<size_t>(rows));
  size_t i = 0;
  for (auto _ : state) {
    airtp::matvec(w.views[i], x.data(), y.data(), pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
    i = i + 1 == w.views.size() ? 0 : i + 1;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(w.views[0].bytes()));
  state.SetLabel(type_name(static_cast<int>(state.range(0))) +
                 (state.range(4) ? " avx2" : " portable") +
                 (w.views.size() > 1 ? " cold" : " cache-resident"));
  airtp::force_portable_kernels(false);
}

void BM_matmul(benchmark::State& state) {
  const auto type = static_cast<DType>(state.range(0));
  const int rows = static_cast<int>(state.range(1)), cols = static_cast<int>(state.range(2));
  airtp::ThreadPool pool(static_cast<int>(state.range(3)));
  if (!select_path(state, state.range(4))) return;
  const int T = static_cast<int>(state.range(5));
  const Weights& w = weights(type, rows, cols);
  const auto X = activations(static_cast<size_t>(cols) * T);
  std::vector<float> Y(static_cast<size_t>(rows) * T);
  size_t i = 0;
  for (auto _ : state) {
    airtp::matmul(w.views[i], X.data(), T, Y.data(), pool);
    benchmark::DoNotOptimize(Y.data());
    benchmark::ClobberMemory();
    i = i + 1 == w.views.size() ? 0 : i + 1;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(w.views[0].bytes()));
  state.counters["GFLOPS"] = benchmark::Counter(
      2.0 * rows * cols * T * static_cast<double>(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate);
  // Time per token, to compare with T separate matvecs.
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * T,
                                                  benchmark::Counter::kIsRate);
  state.SetLabel(type_name(static_cast<int>(state.range(0))) +
                 (state.range(4) ? " avx2" : " portable") + " T=" + std::to_string(T));
  airtp::force_portable_kernels(false);
}

// Plain read bandwidth: sum 256 MB of 64-bit words, split over the pool like matvec's rows.
void BM_stream_read(benchmark::State& state) {
  const size_t words = (size_t{256} << 20) / 8;
  static std::vector<uint64_t> buf = [&] {
    std::vector<uint64_t> b(words);
    std::iota(b.begin(), b.end(), 1);
    return b;
  }();
  airtp::ThreadPool pool(static_cast<int>(state.range(0)));
  std::vector<uint64_t> partial(static_cast<size_t>(pool.size()) * 8);
  for (auto _ : state) {
    pool.parallel_for(pool.size(), [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        const size_t lo = words / pool.size() * t, hi = lo + words / pool.size();
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t k = lo; k < hi; k += 4) {
          s0 += buf[k];
          s1 += buf[k + 1];
          s2 += buf[k + 2];
          s3 += buf[k + 3];
        }
        partial[t * 8] = s0 + s1 + s2 + s3;
      }
    });
    benchmark::DoNotOptimize(partial.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(words * 8));
}

// memcpy of 128 MB: bytes counted once (the read side), so the number is comparable with reads.
void BM_memcpy(benchmark::State& state) {
  const size_t bytes = size_t{128} << 20;
  std::vector<uint8_t> src(bytes, 1), dst(bytes, 0);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

// Cost of waking the pool for an empty job: the floor under every parallel kernel call.
void BM_parallel_for_overhead(benchmark::State& state) {
  airtp::ThreadPool pool(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    pool.parallel_for(pool.size(), [](int64_t b, int64_t e) { benchmark::DoNotOptimize(b + e); });
  }
}

// Every weight type of the table (a new type is benchmarked without touching this file).
std::vector<int> weight_types() {
  std::vector<int> out;
  for (const auto& tr : airtp::all_types())
    if (!tr.activation_only) out.push_back(static_cast<int>(tr.type));
  return out;
}

void matvec_args(benchmark::internal::Benchmark* b) {
  for (int type : weight_types()) {
    const int bs = airtp::block_size(static_cast<DType>(type));
    for (auto [rows, cols] : {std::pair{4096, 4096}, std::pair{1024, 1024}, std::pair{288, 288}}) {
      if (cols % bs != 0) continue;
      for (int threads : {1, 2}) {
        for (int avx2 : {0, 1}) b->Args({type, rows, cols, threads, avx2});
      }
    }
  }
  b->ArgNames({"type", "rows", "cols", "threads", "avx2"});
}

void matmul_args(benchmark::internal::Benchmark* b) {
  for (int type : weight_types()) {
    for (int threads : {1, 2}) {
      for (int avx2 : {0, 1}) b->Args({type, 4096, 4096, threads, avx2, 16});
    }
  }
  b->ArgNames({"type", "rows", "cols", "threads", "avx2", "T"});
}

}  // namespace

BENCHMARK(BM_stream_read)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_memcpy)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parallel_for_overhead)->Arg(2)->ArgName("threads")->UseRealTime();
BENCHMARK(BM_matvec)->Apply(matvec_args)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_matmul)->Apply(matmul_args)->UseRealTime()->Unit(benchmark::kMillisecond);
