// A small reproducible random source. Everything random in wireless/ and opt/ goes through it
// so that results depend only on the seed, not on the standard library's distribution code:
// every MPI rank regenerates bit-identical channels from (seed, block index).
#pragma once
#include <complex>
#include <cstdint>
#include <initializer_list>

namespace airtp {

class WirelessRng {
 public:
  explicit WirelessRng(uint64_t seed);
  // A stream keyed by several integers (e.g. seed, block index, device): independent streams
  // for different keys, identical for equal keys.
  WirelessRng(std::initializer_list<uint64_t> key);

  uint64_t next_u64();
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal();                       // N(0, 1)
  std::complex<double> complex_normal(double variance = 1.0);  // CN(0, variance)

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace airtp
