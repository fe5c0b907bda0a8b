// Every device lives in this process, so there is nothing to exchange between processes: the
// all-reduce schemes combine the local partials themselves.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "comm/transport.h"
#include "util/parameter_error.h"

namespace airtp {
namespace {

class InProcessTransport final : public Transport {
 public:
  explicit InProcessTransport(int n) : devices_(static_cast<size_t>(n)) {
    if (n < 1) throw ParameterError("devices", "must be at least 1");
    std::iota(devices_.begin(), devices_.end(), 0);
  }
  std::string name() const override { return "in-process"; }
  int n_devices() const override { return static_cast<int>(devices_.size()); }
  const std::vector<int>& local_devices() const override { return devices_; }
  bool is_root() const override { return true; }
  void sum(std::span<float>) override {}
  void sum(std::span<double>) override {}
  void max(std::span<double>) override {}
  void broadcast(std::span<std::byte>, int) override {}

 protected:
  // Every device is here: a message is a copy from the sender's buffer to the receiver's.
  void do_exchange(std::span<const Message> sends, std::span<const Message> receives) override {
    for (const auto& r : receives) {
      const auto s = std::find_if(sends.begin(), sends.end(), [&](const Message& m) { return m.from == r.from && m.to == r.to; });
      if (s == sends.end() || s->data.size() != r.data.size())
        throw std::logic_error(fmt::format("exchange: device {} expects {} bytes from device {} that were not sent", r.to,
                                           r.data.size(), r.from));
      std::copy(s->data.begin(), s->data.end(), r.data.begin());
    }
  }

 private:
  std::vector<int> devices_;
};

}  // namespace

std::unique_ptr<Transport> make_inprocess_transport(int n_devices) {
  return std::make_unique<InProcessTransport>(n_devices);
}

}  // namespace airtp
