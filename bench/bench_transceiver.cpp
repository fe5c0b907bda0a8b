// Time of one short-timescale transceiver design per channel realization, vs the number of
// receive antennas M, devices N and device antennas K (= L streams). Paper point: M = 20, N = 8,
// K = 4 (paper.md T10 asks for <= 10 ms there).
#include <benchmark/benchmark.h>

#include "opt/baselines.h"
#include "opt/sdp.h"
#include "wireless/channel.h"

namespace airtp {
namespace {

std::vector<TransceiverProblem> problems(int M, int N, int K) {
  auto cfg = default_wireless_config(N, 1);
  cfg.n_rx_antennas = M;
  cfg.n_tx_antennas = K;
  cfg.n_streams = K;
  const ChannelModel model(cfg);
  std::vector<TransceiverProblem> out;
  for (uint64_t b = 0; b < 8; ++b) {
    const auto r = model.realization(b);
    out.push_back({r.H, r.noise_power_w, std::vector<double>(N, cfg.tx_power_w(0)), K});
  }
  return out;
}

void run(benchmark::State& state, TransceiverMethod method, SdpSolver solver) {
  const int M = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)),
            K = static_cast<int>(state.range(2));
  const auto ps = problems(M, N, K);
  TransceiverOptions opt;
  opt.sdp_solver = solver;
  size_t i = 0;
  double mse = 0;
  for (auto _ : state) {
    const auto d = design_transceiver(ps[i++ % ps.size()], method, opt);
    mse += d.mse;
    benchmark::DoNotOptimize(d.A.data());
  }
  state.counters["mean_mse"] = mse / static_cast<double>(state.iterations());
}

// The SDP alone (barrier solver, F_n = H_n, c_n = L / p_n), to split BM_Sdr into the solve and
// the randomization + ZF completion around it.
void BM_SdrSolveOnly(benchmark::State& state) {
  const int M = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)),
            K = static_cast<int>(state.range(2));
  const auto ps = problems(M, N, K);
  size_t i = 0;
  int newton = 0;
  for (auto _ : state) {
    const auto& p = ps[i++ % ps.size()];
    std::vector<double> c;
    for (double pw : p.power) c.push_back(K / pw);
    const auto sol = solve_sdr(p.H, c);
    newton += sol.iterations;
    benchmark::DoNotOptimize(sol.Q.data());
  }
  state.counters["newton_steps"] = static_cast<double>(newton) / static_cast<double>(state.iterations());
}

// BM_Sdr: the design (baselines as candidates + refinement); BM_SdrPaper: the paper's method
// alone, so one run gives the refinement's cost beside it.
void BM_Sdr(benchmark::State& s) { run(s, TransceiverMethod::Sdr, SdpSolver::Barrier); }
void BM_SdrPaper(benchmark::State& s) { run(s, TransceiverMethod::SdrPaper, SdpSolver::Barrier); }
void BM_SdrDsdp(benchmark::State& s) { run(s, TransceiverMethod::Sdr, SdpSolver::Dsdp); }
void BM_MatchedFilter(benchmark::State& s) { run(s, TransceiverMethod::MatchedFilter, SdpSolver::Barrier); }
void BM_MmseZf(benchmark::State& s) { run(s, TransceiverMethod::MmseZf, SdpSolver::Barrier); }
void BM_EqualPower(benchmark::State& s) { run(s, TransceiverMethod::EqualPower, SdpSolver::Barrier); }

// Sweeps one axis at a time around the paper point (M, N, K) = (20, 4, 4), plus M=20 N=8 K=4.
void sweep(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K"});
  for (int M : {8, 20, 32}) b->Args({M, 4, 4});
  for (int N : {2, 8}) b->Args({20, N, 4});
  for (int K : {1, 2}) b->Args({20, 4, K});
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Sdr)->Apply(sweep);
BENCHMARK(BM_SdrPaper)->Apply(sweep);
BENCHMARK(BM_SdrSolveOnly)->Apply(sweep);
BENCHMARK(BM_SdrDsdp)->Apply(sweep);
BENCHMARK(BM_MatchedFilter)->Apply(sweep);
BENCHMARK(BM_MmseZf)->Apply(sweep);
BENCHMARK(BM_EqualPower)->Apply(sweep);

}  // namespace
}  // namespace airtp
