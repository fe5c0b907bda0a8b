#include <algorithm>

#include "comm/schemes.h"

namespace airtp {
namespace {

class ExactAllReduce final : public AllReduce {
 public:
  ExactAllReduce(Transport& t, LinkModel link) : AllReduce(t), link_(std::move(link)) {}
  std::string name() const override { return "exact"; }

 protected:
  void do_reduce(std::span<const std::span<float>> parts) override {
    const size_t n = parts[0].size();
    for (size_t d = 1; d < parts.size(); ++d)
      for (size_t i = 0; i < n; ++i) parts[0][i] += parts[d][i];
    transport_.sum(parts[0]);
    for (size_t d = 1; d < parts.size(); ++d) std::copy(parts[0].begin(), parts[0].end(), parts[d].begin());
    LinkEvent ev{.values = n, .payload_bytes = 4 * n};
    if (transport_.n_devices() > 1)
      for (size_t d = 0; d < stats_.bytes_sent.size(); ++d) {
        stats_.bytes_sent[d] += ev.payload_bytes;
        stats_.bytes_recv[d] += ev.payload_bytes;
      }
    if (link_) stats_.link_time_s += link_(ev);
  }

 private:
  LinkModel link_;
};

}  // namespace

std::unique_ptr<AllReduce> make_exact_allreduce(Transport& t, LinkModel link) {
  return std::make_unique<ExactAllReduce>(t, std::move(link));
}

}  // namespace airtp
