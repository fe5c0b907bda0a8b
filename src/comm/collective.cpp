#include "comm/collective.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace airtp {

namespace {

using Bytes = std::vector<std::byte>;

int mod(int a, int n) { return ((a % n) + n) % n; }

Bytes encoded(const Codec& c, std::span<const float> x) {
  Bytes b(c.bytes(x.size()));
  c.encode(x, b);
  return b;
}

// out += decode(bytes).
void add_decoded(const Codec& c, std::span<const std::byte> bytes, std::span<float> out, std::vector<float>& tmp) {
  tmp.resize(out.size());
  c.decode(bytes, tmp);
  for (size_t i = 0; i < out.size(); ++i) out[i] += tmp[i];
}

void copy_to_all(std::span<const float> sum, std::span<const std::span<float>> parts) {
  for (const auto& p : parts) std::copy(sum.begin(), sum.end(), p.begin());
}

void mesh(Transport& t, const Codec& c, std::span<const std::span<float>> parts) {
  const int N = t.n_devices();
  const auto& local = t.local_devices();
  const size_t D = parts[0].size();
  std::vector<Bytes> mine(static_cast<size_t>(N));  // encoded partials of this process's devices
  for (size_t k = 0; k < parts.size(); ++k) mine[static_cast<size_t>(local[k])] = encoded(c, parts[k]);
  // inbox[k][d]: what local device k receives from device d.
  std::vector<std::vector<Bytes>> inbox(parts.size(), std::vector<Bytes>(static_cast<size_t>(N)));
  std::vector<Message> sends, receives;
  for (size_t k = 0; k < parts.size(); ++k) {
    const int me = local[k];
    for (int d = 0; d < N; ++d) {
      if (d == me) continue;
      sends.push_back({me, d, mine[static_cast<size_t>(me)]});
      auto& in = inbox[k][static_cast<size_t>(d)];
      in.resize(c.bytes(D));
      receives.push_back({d, me, in});
    }
  }
  t.exchange(sends, receives);
  // Every device holds every encoded partial; the first local one adds them in device order.
  std::vector<float> sum(D, 0.0f), tmp;
  for (int d = 0; d < N; ++d) {
    const Bytes& b = d == local[0] ? mine[static_cast<size_t>(d)] : inbox[0][static_cast<size_t>(d)];
    add_decoded(c, b, sum, tmp);
  }
  copy_to_all(sum, parts);
}

void star(Transport& t, const Codec& up, const Codec& down, std::span<const std::span<float>> parts) {
  const int N = t.n_devices();
  const auto& local = t.local_devices();
  const size_t D = parts[0].size();
  const bool has_root = local[0] == 0;  // device 0 is the root; local ids are ascending
  std::vector<Bytes> mine(static_cast<size_t>(N)), at_root(static_cast<size_t>(N));
  std::vector<Message> sends, receives;
  for (size_t k = 0; k < parts.size(); ++k) {
    mine[static_cast<size_t>(local[k])] = encoded(up, parts[k]);
    if (local[k] != 0) sends.push_back({local[k], 0, mine[static_cast<size_t>(local[k])]});
  }
  if (has_root)
    for (int d = 1; d < N; ++d) {
      at_root[static_cast<size_t>(d)].resize(up.bytes(D));
      receives.push_back({d, 0, at_root[static_cast<size_t>(d)]});
    }
  t.exchange(sends, receives);

  Bytes result(down.bytes(D));
  std::vector<Bytes> inbox(parts.size());
  sends.clear();
  receives.clear();
  if (has_root) {
    std::vector<float> sum(D, 0.0f), tmp;
    for (int d = 0; d < N; ++d) add_decoded(up, d == 0 ? mine[0] : at_root[static_cast<size_t>(d)], sum, tmp);
    down.encode(sum, result);
    for (int d = 1; d < N; ++d) sends.push_back({0, d, result});
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    if (local[k] == 0) continue;
    inbox[k].resize(down.bytes(D));
    receives.push_back({0, local[k], inbox[k]});
  }
  t.exchange(sends, receives);
  // Every device, the root too, uses the sum as the others receive it.
  std::vector<float> out(D);
  down.decode(has_root ? result : inbox[0], out);
  copy_to_all(out, parts);
}

void ring(Transport& t, const Codec& c, std::span<const std::span<float>> parts) {
  const int N = t.n_devices();
  const auto& local = t.local_devices();
  const size_t D = parts[0].size(), L = parts.size();
  const auto seg = ring_segments(N, D, c.granularity());
  auto piece = [&](std::vector<float>& v, int k) {
    return std::span<float>(v).subspan(seg[static_cast<size_t>(k)].first, seg[static_cast<size_t>(k)].second - seg[static_cast<size_t>(k)].first);
  };
  auto seg_len = [&](int k) { return seg[static_cast<size_t>(k)].second - seg[static_cast<size_t>(k)].first; };
  std::vector<std::vector<float>> acc(L);
  for (size_t k = 0; k < L; ++k) acc[k].assign(parts[k].begin(), parts[k].end());
  std::vector<Bytes> out_buf(L), in_buf(L);
  std::vector<float> tmp;
  // Reduce-scatter: at step s device d passes its running sum of segment d - s to d + 1.
  for (int s = 0; s + 1 < N; ++s) {
    std::vector<Message> sends, receives;
    for (size_t k = 0; k < L; ++k) {
      const int d = local[k], ks = mod(d - s, N), kr = mod(d - s - 1, N);
      if (seg_len(ks) > 0) {
        out_buf[k] = encoded(c, piece(acc[k], ks));
        sends.push_back({d, mod(d + 1, N), out_buf[k]});
      }
      if (seg_len(kr) > 0) {
        in_buf[k].resize(c.bytes(seg_len(kr)));
        receives.push_back({mod(d - 1, N), d, in_buf[k]});
      }
    }
    t.exchange(sends, receives);
    for (size_t k = 0; k < L; ++k) {
      const int kr = mod(local[k] - s - 1, N);
      if (seg_len(kr) > 0) add_decoded(c, in_buf[k], piece(acc[k], kr), tmp);
    }
  }
  // Device d now holds the whole sum of segment d + 1. All-gather: it encodes that once, and the
  // bytes travel around unchanged, so every device decodes the same bytes.
  std::vector<std::vector<Bytes>> have(L, std::vector<Bytes>(static_cast<size_t>(N)));
  for (size_t k = 0; k < L; ++k) {
    const int own = mod(local[k] + 1, N);
    have[k][static_cast<size_t>(own)] = encoded(c, piece(acc[k], own));
  }
  for (int s = 0; s + 1 < N; ++s) {
    std::vector<Message> sends, receives;
    for (size_t k = 0; k < L; ++k) {
      const int d = local[k], ks = mod(d + 1 - s, N), kr = mod(d - s, N);
      if (seg_len(ks) > 0) sends.push_back({d, mod(d + 1, N), have[k][static_cast<size_t>(ks)]});
      if (seg_len(kr) > 0) {
        have[k][static_cast<size_t>(kr)].resize(c.bytes(seg_len(kr)));
        receives.push_back({mod(d - 1, N), d, have[k][static_cast<size_t>(kr)]});
      }
    }
    t.exchange(sends, receives);
  }
  std::vector<float> out(D);
  for (int k = 0; k < N; ++k)
    if (seg_len(k) > 0) c.decode(have[0][static_cast<size_t>(k)], piece(out, k));
  copy_to_all(out, parts);
}

}  // namespace

std::string collective_name(Collective c) {
  switch (c) {
    case Collective::Mesh: return "mesh";
    case Collective::Star: return "star";
    case Collective::Ring: return "ring";
  }
  return "?";
}

std::vector<std::pair<size_t, size_t>> ring_segments(int n, size_t values, size_t granularity) {
  const size_t g = std::max<size_t>(granularity, 1);
  const size_t units = (values + g - 1) / g;
  std::vector<std::pair<size_t, size_t>> seg;
  size_t begin = 0;
  for (int k = 0; k < n; ++k) {
    // Units spread as evenly as possible, the first ones one larger.
    const size_t u = units / static_cast<size_t>(n) + (static_cast<size_t>(k) < units % static_cast<size_t>(n) ? 1 : 0);
    const size_t end = std::min(values, begin + u * g);
    seg.emplace_back(begin, end);
    begin = end;
  }
  return seg;
}

void collective_sum(Collective c, Transport& t, const Codec& up, const Codec& down,
                    std::span<const std::span<float>> parts) {
  if (parts.size() != t.local_devices().size())
    throw std::logic_error("collective_sum: one partial per local device expected");
  if (t.n_devices() == 1) return;
  switch (c) {
    case Collective::Mesh: return mesh(t, up, parts);
    case Collective::Star: return star(t, up, down, parts);
    case Collective::Ring: return ring(t, up, parts);
  }
}

uint64_t CollectiveBytes::max_sent() const { return sent.empty() ? 0 : *std::max_element(sent.begin(), sent.end()); }
uint64_t CollectiveBytes::max_received() const {
  return received.empty() ? 0 : *std::max_element(received.begin(), received.end());
}

CollectiveBytes collective_bytes(Collective c, int n, size_t values, const Codec& up, const Codec& down) {
  CollectiveBytes b;
  b.sent.assign(static_cast<size_t>(n), 0);
  b.received.assign(static_cast<size_t>(n), 0);
  if (n < 2) return b;
  const uint64_t N1 = static_cast<uint64_t>(n - 1);
  switch (c) {
    case Collective::Mesh:
      for (int d = 0; d < n; ++d) b.sent[static_cast<size_t>(d)] = b.received[static_cast<size_t>(d)] = N1 * up.bytes(values);
      b.largest_message = up.bytes(values);
      b.sequential_steps = n - 1;
      break;
    case Collective::Star:
      b.sent[0] = N1 * down.bytes(values);
      b.received[0] = N1 * up.bytes(values);
      for (int d = 1; d < n; ++d) {
        b.sent[static_cast<size_t>(d)] = up.bytes(values);
        b.received[static_cast<size_t>(d)] = down.bytes(values);
      }
      b.largest_message = std::max(up.bytes(values), down.bytes(values));
      b.sequential_steps = 2 * (n - 1);
      break;
    case Collective::Ring: {
      const auto seg = ring_segments(n, values, up.granularity());
      auto bytes_of = [&](int k) { return static_cast<uint64_t>(up.bytes(seg[static_cast<size_t>(mod(k, n))].second - seg[static_cast<size_t>(mod(k, n))].first)); };
      for (int d = 0; d < n; ++d) {
        uint64_t s = 0, r = 0;
        for (int k = 0; k < n; ++k) {
          s += (mod(k - d - 1, n) != 0 ? bytes_of(k) : 0) + (mod(k - d - 2, n) != 0 ? bytes_of(k) : 0);
          r += (mod(k - d, n) != 0 ? bytes_of(k) : 0) + (mod(k - d - 1, n) != 0 ? bytes_of(k) : 0);
        }
        b.sent[static_cast<size_t>(d)] = s;
        b.received[static_cast<size_t>(d)] = r;
      }
      for (int k = 0; k < n; ++k) b.largest_message = std::max(b.largest_message, bytes_of(k));
      b.sequential_steps = 2 * (n - 1);
      break;
    }
  }
  return b;
}

}  // namespace airtp
