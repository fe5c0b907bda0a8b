#include "comm/allreduce.h"

#include <chrono>
#include <stdexcept>

namespace airtp {

double scheme_stat(const std::vector<SchemeStat>& stats, const std::string& name) {
  for (const auto& s : stats)
    if (s.name == name) return s.value;
  return 0;
}

void AllReduceStats::reset(int n_devices) {
  *this = AllReduceStats{};
  bytes_sent.assign(static_cast<size_t>(n_devices), 0);
  bytes_recv.assign(static_cast<size_t>(n_devices), 0);
  model_bytes_sent.assign(static_cast<size_t>(n_devices), 0);
  model_bytes_recv.assign(static_cast<size_t>(n_devices), 0);
}

void AllReduce::reset_stats() {
  stats_.reset(transport_.n_devices());
  for (auto& v : local_) v.clear();
  reset_scheme_stats();
}

void AllReduce::count_measured_bytes(int device, uint64_t sent, uint64_t received, uint64_t model_sent,
                                     uint64_t model_received) {
  const size_t n = static_cast<size_t>(transport_.n_devices()), d = static_cast<size_t>(device);
  for (auto& v : local_)
    if (v.size() != n) v.assign(n, 0);
  const uint64_t add[4] = {sent, received, model_sent, model_received};
  for (int k = 0; k < 4; ++k) local_[k][d] += add[k];
  stats_.bytes_sent[d] += sent;
  stats_.bytes_recv[d] += received;
  stats_.model_bytes_sent[d] += model_sent;
  stats_.model_bytes_recv[d] += model_received;
  stats_.bytes_measured = true;
}

void AllReduce::count_bytes(int device, uint64_t sent, uint64_t received) {
  count_measured_bytes(device, sent, received, sent, received);
  stats_.bytes_measured = false;
}

void AllReduce::count_bytes_local(uint64_t sent, uint64_t received) {
  for (int d : transport_.local_devices()) count_bytes(d, sent, received);
}

void AllReduce::gather_stats() {
  const size_t n = static_cast<size_t>(transport_.n_devices());
  std::vector<double> v(4 * n, 0.0);
  for (size_t k = 0; k < 4; ++k)
    for (size_t d = 0; d < local_[k].size(); ++d) v[k * n + d] = static_cast<double>(local_[k][d]);
  transport_.sum(std::span<double>(v));
  std::vector<uint64_t>* out[4] = {&stats_.bytes_sent, &stats_.bytes_recv, &stats_.model_bytes_sent,
                                   &stats_.model_bytes_recv};
  for (size_t k = 0; k < 4; ++k)
    for (size_t d = 0; d < n; ++d) (*out[k])[d] = static_cast<uint64_t>(v[k * n + d]);
}

void AllReduce::reduce(std::span<const std::span<float>> partials, const SyncContext& at) {
  if (partials.size() != transport_.local_devices().size())
    throw std::logic_error("AllReduce::reduce: one partial vector per local device expected");
  for (const auto& p : partials)
    if (p.size() != partials[0].size())
      throw std::logic_error("AllReduce::reduce: partial vectors differ in length");
  const auto t0 = std::chrono::steady_clock::now();
  if (transport_.n_devices() == 1) stats_.error_measured = true;  // one device: nothing to get wrong
  do_reduce(partials, at);
  stats_.machinery_time_s +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats_.calls += 1;
  stats_.values += partials.empty() ? 0 : partials[0].size();
}

void AllReduce::begin_error(std::span<const std::span<float>> partials) {
  exact_.clear();
  if (!measure_error_) return;
  const size_t n = partials[0].size();
  exact_.assign(n, 0.0f);
  for (const auto& p : partials)
    for (size_t i = 0; i < n; ++i) exact_[i] += p[i];
  transport_.sum(std::span<float>(exact_));
}

void AllReduce::end_error(std::span<const float> estimate) {
  if (!measure_error_) return;
  double err = 0, ref = 0;
  for (size_t i = 0; i < exact_.size(); ++i) {
    const double e = static_cast<double>(estimate[i]) - exact_[i];
    err += e * e;
    ref += static_cast<double>(exact_[i]) * exact_[i];
  }
  stats_.error_measured = true;
  stats_.err_sq += err;
  stats_.ref_sq += ref;
}

}  // namespace airtp
