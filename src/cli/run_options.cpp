#include "cli/run_options.h"

#include <filesystem>

namespace airtp::cli {

std::string default_model_path() {
  namespace fs = std::filesystem;
  for (const fs::path& base : {fs::path(AIRTP_SOURCE_DIR), fs::current_path()}) {
    const fs::path p = base / "models" / "airtp-kjv-q8_0.gguf";
    if (fs::exists(p)) return p.string();
  }
  return (fs::path(AIRTP_SOURCE_DIR) / "models" / "airtp-kjv-q8_0.gguf").string();
}

void add_run_options(CLI::App& app, RunOptions& opt) {
  opt.model_path = default_model_path();
  app.add_option("-m,--model", opt.model_path, "Model file: GGUF v3 or llama2.c .bin")->capture_default_str();
  app.add_option("--tokenizer", opt.tokenizer_path, "llama2.c tokenizer.bin (default: next to the model)");
  app.add_option("-t,--threads", opt.threads, "Worker threads per process (0 = all cores)")->capture_default_str();
  app.add_option("-c,--ctx", opt.ctx, "Context length in tokens (0 = the model's)")->capture_default_str();
  app.add_option("-n,--devices", opt.devices,
                 "Simulated devices in this process (under mpirun: one device per rank)")->capture_default_str();
  app.add_option("--shares", opt.shares, "Fraction of each layer per device, e.g. 0.5,0.3,0.2 (default: even)");
  app.add_option("--shares-from", opt.shares_from, "Take the shares from an `airtp assign --out` JSON file");
  app.add_option("-a,--allreduce", opt.allreduce, "All-reduce scheme: exact | digital | aircomp")->capture_default_str();
  app.add_option("--bits", opt.quantizer.bits, "Digital: bits per value (2..16)")->capture_default_str();
  app.add_option("--quant-block", opt.quantizer.block, "Digital: values per scale")->capture_default_str();
  app.add_option("--topology", opt.topology, "Digital: wireless (OFDMA to an access point) | mesh | star")->capture_default_str();
  app.add_option("--link-gbps", opt.link_gbps, "Digital mesh/star: wire rate per node (Gbit/s)")->capture_default_str();
  app.add_option("--link-latency-us", opt.link_latency_us, "Digital mesh/star: latency per message (us)")->capture_default_str();
  app.add_option("--tx-power-dbm", opt.tx_power_dbm, "Wireless: transmit power budget per device (dBm)")->capture_default_str();
  app.add_option("--snr-db", opt.snr_db, "Wireless: power-control every device to this mean receive SNR per antenna (dB)");
  app.add_option("--design", opt.design, "AirComp transceiver: sdr | mmse | mf | equal_power")->capture_default_str();
  app.add_option("--rx-antennas", opt.rx_antennas, "Wireless: receive antennas M at the server")->capture_default_str();
  app.add_option("--tx-antennas", opt.tx_antennas, "Wireless: antennas K per device")->capture_default_str();
  app.add_option("--streams", opt.streams, "AirComp: spatial streams L per device (<= K)")->capture_default_str();
  app.add_option("--bandwidth-mhz", opt.bandwidth_mhz, "Wireless: bandwidth (MHz)")->capture_default_str();
  app.add_option("--coherence", opt.coherence, "AirComp: all-reduces per channel realization (0 = one token: 2 x layers)")->capture_default_str();
  app.add_option("--randomizations", opt.randomizations, "AirComp SDR: Gaussian randomization candidates")->capture_default_str();
  app.add_option("--channel-seed", opt.channel_seed, "Wireless: seed of channels, placement and noise")->capture_default_str();
  app.add_option("--mpi-timeout", opt.mpi_timeout_s, "Seconds a collective may take before the job is aborted")->capture_default_str();
}

}  // namespace airtp::cli
