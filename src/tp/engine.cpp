#include "tp/engine.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "tensor/kernels.h"
#include "util/parameter_error.h"

namespace airtp {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

Engine::Engine(const Model& model, const Plan& plan, Transport& transport, AllReduce& allreduce,
               ThreadPool& pool, int max_ctx, int syncs_per_block)
    : model_(model), plan_(plan), transport_(transport), allreduce_(allreduce), pool_(pool), max_ctx_(max_ctx),
      syncs_per_block_(syncs_per_block > 0 ? syncs_per_block : 2 * model.config.n_layers) {
  if (syncs_per_block < 0)
    throw ParameterError("syncs_per_block", fmt::format("{} must be >= 0 (0 = one token)", syncs_per_block));
  if (plan.n_devices() != transport.n_devices())
    throw std::invalid_argument(fmt::format("the plan has {} devices but the transport runs {}",
                                            plan.n_devices(), transport.n_devices()));
  for (int id : transport.local_devices())
    devices_.push_back(std::make_unique<Device>(id, model, plan.devices[static_cast<size_t>(id)], max_ctx));
  partial_.resize(devices_.size());
  reset_stats();
}

void Engine::reset_stats() {
  stats_ = EngineStats{};
  stats_.device_compute_s.assign(static_cast<size_t>(plan_.n_devices()), 0.0);
  allreduce_.reset_stats();
}

void Engine::set_max_batch(int n) {
  if (n < 1) throw ParameterError("batch", fmt::format("{} must be >= 1", n));
  max_batch_ = n;
}

std::vector<float> Engine::forward(std::span<const int> tokens, int pos0, bool all_positions) {
  const auto t_start = Clock::now();
  const auto& c = model_.config;
  const int T = static_cast<int>(tokens.size()), dim = c.dim;
  if (T == 0) throw std::invalid_argument("forward: no tokens");
  if (T > max_batch_) {
    std::vector<float> out;
    for (int t0 = 0; t0 < T; t0 += max_batch_) {
      const int n = std::min(max_batch_, T - t0);
      auto part = forward(tokens.subspan(static_cast<size_t>(t0), static_cast<size_t>(n)), pos0 + t0, all_positions);
      if (all_positions) out.insert(out.end(), part.begin(), part.end());
      else out = std::move(part);
    }
    return out;
  }
  if (pos0 < 0 || pos0 + T > max_ctx_)
    throw std::out_of_range(fmt::format("the sequence needs {} positions but the context (ctx) is {}",
                                        pos0 + T, max_ctx_));
  const size_t n = static_cast<size_t>(T) * dim;
  x_.resize(n);
  for (int t = 0; t < T; ++t) {
    const int tok = tokens[static_cast<size_t>(t)];
    if (tok < 0 || tok >= c.vocab_size)
      throw std::out_of_range(fmt::format("token id {} is outside the vocabulary (0..{})", tok, c.vocab_size - 1));
    dequantize_row(model_.weights.token_embd, tok, &x_[static_cast<size_t>(t) * dim]);
  }
  for (auto& p : partial_) p.resize(n);
  std::vector<std::span<float>> spans;
  for (auto& p : partial_) spans.emplace_back(p);

  for (int l = 0; l < c.n_layers; ++l) {
    for (int step = 0; step < 2; ++step) {
      double slowest = 0;
      for (size_t d = 0; d < devices_.size(); ++d) {
        const auto t0 = Clock::now();
        if (step == 0) devices_[d]->attention(l, x_.data(), T, pos0, partial_[d].data(), pool_);
        else devices_[d]->mlp(l, x_.data(), T, partial_[d].data(), pool_);
        const double dt = since(t0);
        stats_.device_compute_s[static_cast<size_t>(devices_[d]->id())] += dt;
        slowest = std::max(slowest, dt);
      }
      stats_.parallel_compute_s += slowest;
      const SyncContext at{.layer = l,
                           .point = step == 0 ? SyncPoint::Attention : SyncPoint::Mlp,
                           .index = sync_index_,
                           .block = sync_index_ / static_cast<uint64_t>(syncs_per_block_)};
      ++sync_index_;
      allreduce_.reduce(spans, at);
      // Every local device now holds the same estimate of the sum: the residual is replicated.
      const float* sum = partial_[0].data();
      for (size_t i = 0; i < n; ++i) x_[i] += sum[i];
    }
  }

  std::vector<float> logits;
  if (transport_.is_root()) {
    const auto t0 = Clock::now();
    const int first = all_positions ? 0 : T - 1;
    logits.resize(static_cast<size_t>(T - first) * c.vocab_size);
    xn_.resize(static_cast<size_t>(T - first) * dim);
    for (int t = first; t < T; ++t)
      rmsnorm(&xn_[static_cast<size_t>(t - first) * dim], &x_[static_cast<size_t>(t) * dim],
              model_.weights.output_norm, dim, c.norm_eps);
    matmul(model_.weights.output, xn_.data(), T - first, logits.data(), pool_);
    for (float v : logits)
      if (!std::isfinite(v))
        throw std::runtime_error(fmt::format(
            "the forward pass produced a non-finite logit at positions {}..{} (all-reduce '{}'); "
            "the activations overflowed or the model file holds NaN/Inf weights",
            pos0, pos0 + T - 1, allreduce_.name()));
    const double dt = since(t0);
    stats_.head_s += dt;
    stats_.device_compute_s[0] += dt;
    stats_.parallel_compute_s += dt;
  }
  stats_.tokens += static_cast<uint64_t>(T);
  stats_.forward_calls += 1;
  stats_.wall_s += since(t_start);
  return logits;
}

void Engine::gather_stats() {
  allreduce_.gather_stats();
  // Each process filled only its own devices' entries (the others are zero), so a sum is a gather.
  transport_.sum(std::span<double>(stats_.device_compute_s));
  double v[2] = {stats_.parallel_compute_s, stats_.head_s};
  transport_.max(std::span<double>(v, 2));
  stats_.parallel_compute_s = v[0];
  stats_.head_s = v[1];
}

std::vector<DeviceMemory> Engine::memory_footprint() {
  constexpr int kFields = 4;
  const auto& c = model_.config;
  std::vector<double> v(static_cast<size_t>(plan_.n_devices()) * kFields, 0.0);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double peak = 1024.0 * static_cast<double>(ru.ru_maxrss);  // Linux reports kilobytes
  for (const auto& d : devices_) {
    double* f = &v[static_cast<size_t>(d->id()) * kFields];
    f[0] = static_cast<double>(d->shard().weight_bytes) + 2.0 * sizeof(float) * c.dim * c.n_layers;
    f[1] = static_cast<double>(d->kv_cache_bytes());
    if (d->id() == 0)
      f[2] = static_cast<double>(model_.weights.output.bytes()) + sizeof(float) * static_cast<double>(c.dim);
    f[3] = peak;
  }
  // Each process filled its own devices' entries, so the sum is a gather.
  transport_.sum(std::span<double>(v));
  std::vector<DeviceMemory> out(static_cast<size_t>(plan_.n_devices()));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = {v[i * kFields], v[i * kFields + 1], v[i * kFields + 2], v[i * kFields + 3]};
  return out;
}

}  // namespace airtp
