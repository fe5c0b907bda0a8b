// How the encoded partials of a digital all-reduce move between the devices of a job, as real
// messages over the transport (in-process copies, or MPI point-to-point): every device ends with
// the same sum, bit for bit, on every transport. The codec decides the bytes; the transport
// counts them (Transport::bytes_sent), and each collective's byte model here says what that
// count will be.
//   mesh: all-gather, every device sends its encoded partial to every other (distributed-llama);
//   star: through device 0, which decodes and adds the partials and sends the sum back encoded
//         with `down` (TPI-LLM);
//   ring: reduce-scatter + all-gather over N segments (NCCL's bandwidth-optimal ring); each hop
//         of the reduce-scatter re-encodes a running partial sum, so lossy codecs add error per
//         hop.
// Sums run in device order, so the result does not depend on which process does the adding.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "comm/codec/codec.h"
#include "comm/transport.h"

namespace airtp {

enum class Collective { Mesh, Star, Ring };
std::string collective_name(Collective c);

// parts[i] is the partial of local device i; on return every part holds the sum.
void collective_sum(Collective c, Transport& t, const Codec& up, const Codec& down,
                    std::span<const std::span<float>> parts);

// What each device sends and receives in one collective_sum of `values` floats per device.
struct CollectiveBytes {
  std::vector<uint64_t> sent, received;  // per device
  uint64_t max_sent() const;
  uint64_t max_received() const;
  // The largest message and how many steps the busiest device sends one after another (for the
  // time model: a NIC serializes its messages).
  uint64_t largest_message = 0;
  int sequential_steps = 0;
};
CollectiveBytes collective_bytes(Collective c, int n_devices, size_t values, const Codec& up, const Codec& down);

// The ring's segments: [begin, end) of segment k, cut at multiples of the codec's granularity.
std::vector<std::pair<size_t, size_t>> ring_segments(int n_devices, size_t values, size_t granularity);

}  // namespace airtp
