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
  // Per token, measured wall time inside all-reduce calls on this process: under MPI the time
  // on the wire plus waiting for the slowest rank (distributed-llama's "sync"); in-process the
  // cost of simulating the scheme.
  double sync_ms = 0;
  double link_ms = 0;                         // per token, the scheme's link model for the same calls
  std::vector<double> sent_bytes_per_device;  // per token
  std::vector<double> recv_bytes_per_device;
  std::vector<double> model_sent_bytes_per_device;  // per token, the link model's prediction
  std::vector<double> model_recv_bytes_per_device;
  bool bytes_measured = false;                // counted at the transport (else from the model)
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
