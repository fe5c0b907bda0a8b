#include "wireless/rng.h"

#include <cmath>
#include <numbers>

namespace airtp {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

WirelessRng::WirelessRng(uint64_t seed) : WirelessRng({seed}) {}

WirelessRng::WirelessRng(std::initializer_list<uint64_t> key) {
  // Fold the key into one state word by chaining splitmix64, so {a, b} and {b, a} differ.
  uint64_t h = 0x6A09E667F3BCC909ULL;
  for (uint64_t k : key) {
    h ^= k;
    h = splitmix64(h);
  }
  for (auto& s : s_) s = splitmix64(h);
}

uint64_t WirelessRng::next_u64() {  // xoshiro256**
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double WirelessRng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double WirelessRng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double WirelessRng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double t = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(t);
  has_spare_ = true;
  return r * std::cos(t);
}

std::complex<double> WirelessRng::complex_normal(double variance) {
  const double s = std::sqrt(variance / 2.0);
  const double re = normal();
  const double im = normal();
  return {s * re, s * im};
}

}  // namespace airtp
