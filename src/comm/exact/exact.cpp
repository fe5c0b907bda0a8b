#include "comm/exact/exact.h"

#include <algorithm>

namespace airtp {
namespace {

class ExactAllReduce final : public AllReduce {
 public:
  ExactAllReduce(Transport& t, double latency_s) : AllReduce(t), latency_s_(latency_s) {}
  std::string name() const override { return "exact"; }

 protected:
  void do_reduce(std::span<const std::span<float>> parts, const SyncContext&) override {
    const size_t n = parts[0].size();
    for (size_t d = 1; d < parts.size(); ++d)
      for (size_t i = 0; i < n; ++i) parts[0][i] += parts[d][i];
    transport_.sum(parts[0]);
    for (size_t d = 1; d < parts.size(); ++d) std::copy(parts[0].begin(), parts[0].end(), parts[d].begin());
    stats_.error_measured = true;  // exact by construction: its error is known to be zero
    if (transport_.n_devices() == 1) return;
    // Counted as float32 to a hub and back.
    count_bytes_local(4 * n, 4 * n);
    stats_.link_time_s += latency_s_;
  }

 private:
  double latency_s_;
};

}  // namespace

std::unique_ptr<AllReduce> make_exact_allreduce(Transport& t, double latency_s) {
  return std::make_unique<ExactAllReduce>(t, latency_s);
}

Scheme exact_scheme() {
  Scheme s;
  s.name = "exact";
  s.summary = "float32 sum over an ideal link (the reference)";
  s.label = [](const nlohmann::json&) { return std::string("exact / ideal link"); };
  // Only the order of float additions differs from an exact sum.
  s.max_nmse = [](const nlohmann::json&) { return 1e-10; };
  s.rate_needs = [](const LinkConfig&, const nlohmann::json&) { return RateNeeds{}; };
  s.link_time = [](const LinkConfig& link, const nlohmann::json&, const LinkRates&, int, long long values) {
    AllReduceTime t;
    t.overhead_s = link.ideal_latency_s;
    // Counted as float32 to a hub and back.
    t.bytes_sent_per_device = t.bytes_recv_per_device = 4.0 * static_cast<double>(values);
    return t;
  };
  s.make = [](Transport& t, const LinkConfig& link, const nlohmann::json&) {
    return make_exact_allreduce(t, link.ideal_latency_s);
  };
  return s;
}

}  // namespace airtp
