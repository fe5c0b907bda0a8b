#include "comm/allreduce.h"

#include <chrono>
#include <stdexcept>

namespace airtp {

void AllReduceStats::reset(int n_devices) {
  *this = AllReduceStats{};
  bytes_sent.assign(static_cast<size_t>(n_devices), 0);
  bytes_recv.assign(static_cast<size_t>(n_devices), 0);
}

void AllReduce::reduce(std::span<const std::span<float>> partials) {
  if (partials.size() != transport_.local_devices().size())
    throw std::logic_error("AllReduce::reduce: one partial vector per local device expected");
  for (const auto& p : partials)
    if (p.size() != partials[0].size())
      throw std::logic_error("AllReduce::reduce: partial vectors differ in length");
  const auto t0 = std::chrono::steady_clock::now();
  do_reduce(partials);
  stats_.machinery_time_s +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats_.calls += 1;
  stats_.values += partials.empty() ? 0 : partials[0].size();
}

}  // namespace airtp
