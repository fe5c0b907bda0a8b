// Share lists: arbitrary bytes as a --shares string (parse_shares) and as an assignment JSON
// file (read_shares_file). Oracle: only std::invalid_argument may escape (CLI11 reports it);
// what is returned is non-empty, and make_plan either accepts it or refuses it the same way.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "tp/plan.h"

namespace {

// A plan for a small GQA model: every accepted share list must either split it or be refused
// with invalid_argument (e.g. more devices than KV heads, negative or non-finite shares).
void plan_with(const std::vector<double>& shares) {
  if (shares.empty()) airtp::fuzz::invariant_failed("empty share list accepted");
  airtp::ModelConfig c;
  c.dim = 64;
  c.hidden_dim = 128;
  c.n_layers = 1;
  c.n_heads = 8;
  c.n_kv_heads = 4;
  c.vocab_size = 16;
  c.max_seq_len = 8;
  try {
    const airtp::Plan p = airtp::make_plan(c, shares, 32);
    int kv = 0, units = 0;
    for (const auto& d : p.devices) {
      kv += d.kv_heads();
      units += d.units();
    }
    if (kv != c.n_kv_heads || units != c.hidden_dim) airtp::fuzz::invariant_failed("plan does not cover the model");
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    plan_with(parse_shares(text));
  } catch (const std::invalid_argument&) {
  }
  fuzz::MemFile file(data, size);
  try {
    plan_with(read_shares_file(file.path()));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
