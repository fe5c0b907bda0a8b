// What the latency model and the model-assignment optimizer need to know about one edge device.
#pragma once
#include <string>

namespace airtp {

struct DeviceProfile {
  std::string name;
  // Compute: decode is memory-bound, so the bandwidth usually decides; prefill uses the FLOP rate.
  double flops_per_s = 100e9;
  double mem_bandwidth_bytes_per_s = 20e9;
  double memory_bytes = 16e9;  // what may hold this device's weight share (bytes)
  // The paper's coupling (paper.md 1.5): per layer step, compute energy e_n * m_n * s_tot and
  // transmit energy of one all-reduce share one budget P_n^max.
  double energy_per_param_j = 1e-12;  // e_n, joules per parameter of its share per layer step
  double energy_budget_j = 1e-3;      // P_n^max, joules per layer step
  double distance_m = 50;             // to the edge server (path loss)
  double tx_power_w = 0.1;            // transmit power of the digital (OFDMA) uplink

  // Largest share the energy budget admits: e_n m_n s_tot < P_n^max (strict: some energy must
  // remain for transmission).
  double energy_share_limit(double layer_params) const {
    return energy_budget_j / (energy_per_param_j * layer_params);
  }
  // Throws InputError naming `where` and the offending field with its allowed range.
  void validate(const std::string& where) const;
};

}  // namespace airtp
