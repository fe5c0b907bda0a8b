// Builds an in-process engine over a loaded model for the tests of this folder.
#pragma once
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "comm/schemes.h"
#include "model/model.h"
#include "tp/engine.h"

namespace airtp::test {

struct Rig {
  std::unique_ptr<Transport> transport;
  std::unique_ptr<AllReduce> allreduce;
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<Engine> engine;

  Rig(const Model& m, std::vector<double> shares, int threads = 2, int ctx = 0) {
    transport = make_inprocess_transport(static_cast<int>(shares.size()));
    allreduce = make_exact_allreduce(*transport);
    pool = std::make_unique<ThreadPool>(threads);
    const int block = block_size(m.weights.layers.at(0).w_down.type);
    engine = std::make_unique<Engine>(m, make_plan(m.config, shares, block), *transport, *allreduce, *pool,
                                      ctx > 0 ? ctx : m.config.max_seq_len);
  }
  static std::vector<double> even(int n) { return std::vector<double>(static_cast<size_t>(n), 1.0 / n); }
};

// max_i |a_i - b_i| / max_i |b_i| over one position's logits: the error measure of the
// reference-logit tests.
inline double rel_err(const float* a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    num = std::max(num, std::abs(a[i] - b[i]));
    den = std::max(den, std::abs(b[i]));
  }
  return num / den;
}

// Greedy decoding from `prompt`, `steps` tokens.
inline std::vector<int> greedy(Engine& e, std::vector<int> prompt, int steps) {
  std::vector<int> out;
  auto logits = e.forward(prompt, 0);
  int pos = static_cast<int>(prompt.size());
  for (int i = 0; i < steps; ++i) {
    int best = 0;
    for (int v = 1; v < static_cast<int>(logits.size()); ++v)
      if (logits[static_cast<size_t>(v)] > logits[static_cast<size_t>(best)]) best = v;
    out.push_back(best);
    if (i + 1 < steps) logits = e.forward(std::vector<int>{best}, pos++);
  }
  return out;
}

}  // namespace airtp::test
