#include "comm/transport.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace airtp {

void Transport::exchange(std::span<const Message> sends, std::span<const Message> receives) {
  const size_t n = static_cast<size_t>(n_devices());
  if (sent_.size() != n) {
    sent_.assign(n, 0);
    received_.assign(n, 0);
  }
  const auto& local = local_devices();
  auto is_local = [&](int d) { return std::find(local.begin(), local.end(), d) != local.end(); };
  for (const auto& m : sends) {
    if (m.from < 0 || m.to < 0 || static_cast<size_t>(m.from) >= n || static_cast<size_t>(m.to) >= n || m.from == m.to)
      throw std::logic_error(fmt::format("exchange: a message from device {} to {} in a job of {}", m.from, m.to, n));
    if (is_local(m.from)) sent_[static_cast<size_t>(m.from)] += m.data.size();
  }
  for (const auto& m : receives)
    if (is_local(m.to)) received_[static_cast<size_t>(m.to)] += m.data.size();
  do_exchange(sends, receives);
}

bool mpi_launcher_detected() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

}  // namespace airtp
