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
}

void AllReduce::reset_stats() {
  stats_.reset(transport_.n_devices());
  reset_scheme_stats();
}

void AllReduce::reduce(std::span<const std::span<float>> partials, const SyncContext& at) {
  if (partials.size() != transport_.local_devices().size())
    throw std::logic_error("AllReduce::reduce: one partial vector per local device expected");
  for (const auto& p : partials)
    if (p.size() != partials[0].size())
      throw std::logic_error("AllReduce::reduce: partial vectors differ in length");
  const auto t0 = std::chrono::steady_clock::now();
  do_reduce(partials, at);
  stats_.machinery_time_s +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats_.calls += 1;
  stats_.values += partials.empty() ? 0 : partials[0].size();
}

const std::vector<float>& AllReduce::exact_sum(std::span<const std::span<float>> partials) {
  const size_t n = partials[0].size();
  exact_.assign(n, 0.0f);
  for (const auto& p : partials)
    for (size_t i = 0; i < n; ++i) exact_[i] += p[i];
  transport_.sum(std::span<float>(exact_));
  return exact_;
}

void AllReduce::add_error(std::span<const float> estimate, std::span<const float> exact) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    const double e = static_cast<double>(estimate[i]) - exact[i];
    err += e * e;
    ref += static_cast<double>(exact[i]) * exact[i];
  }
  stats_.err_sq += err;
  stats_.ref_sq += ref;
}

}  // namespace airtp
