// Per-token accounting of a run, distributed-llama style: compute per device, sync time, bytes
// sent/received per device, all-reduce count; as text and as JSON.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "comm/allreduce.h"
#include "tp/engine.h"

namespace airtp {

struct TokenAccounting {
  long long tokens = 0;
  std::vector<double> compute_ms_per_device;  // per token
  double parallel_compute_ms = 0;             // per token, slowest device per step
  double machinery_ms = 0;                    // per token, measured inside all-reduce calls
  double link_ms = 0;                         // per token, modelled link time
  std::vector<double> sent_bytes_per_device;  // per token
  std::vector<double> recv_bytes_per_device;
  double allreduces = 0;                      // per token
  bool nmse_measured = false;                 // the run measured the all-reduce error
  double nmse = 0;                            // ||error||^2 / ||exact||^2 over all calls (0 if exact)
  double wall_ms = 0;                         // per token, measured end to end in this process
  double simulated_ms() const { return parallel_compute_ms + link_ms; }
};

// Call after engine.gather_stats(). `tokens` is the number of tokens the stats cover.
TokenAccounting account(const EngineStats& e, const AllReduceStats& a, long long tokens);

nlohmann::json to_json(const TokenAccounting& t);
std::string to_text(const TokenAccounting& t);

}  // namespace airtp
