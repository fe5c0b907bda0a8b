// Builds an in-process engine over a loaded model for the tests of this folder.
#pragma once
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "model/model.h"
#include "runtime/session.h"
#include "tp/engine.h"

namespace airtp::test {

// An in-process, exact run of `m` split by `shares`, wired the way every run is (runtime/session).
struct Rig {
  std::unique_ptr<Session> session;
  Engine* engine = nullptr;

  Rig(const Model& m, std::vector<double> shares, int threads = 2, int ctx = 0) {
    RunConfig c;
    c.devices = static_cast<int>(shares.size());
    c.shares = std::move(shares);
    c.threads = threads;
    c.ctx = ctx;
    // The test owns the model and outlives the rig.
    session = std::make_unique<Session>(std::shared_ptr<const Model>(&m, [](const Model*) {}), c);
    engine = &session->engine();
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
