#include "sim/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "comm/schemes.h"

namespace airtp {

Session::~Session() = default;

Session::Session(const RunOptions& opt) : opt_(opt) {
  if (opt.threads < 0 || opt.threads > 256)
    throw std::invalid_argument(fmt::format("--threads {} is outside 0..256 (0 = all cores)", opt.threads));
  if (opt.devices < 1 || opt.devices > 64)
    throw std::invalid_argument(fmt::format("--devices {} is outside 1..64", opt.devices));
  if (opt.ctx < 0) throw std::invalid_argument(fmt::format("--ctx {} must be >= 0 (0 = the model's context)", opt.ctx));

#ifdef AIRTP_WITH_MPI
  if (MpiSession::launched_by_mpirun()) transport_ = make_mpi_transport(opt.mpi_timeout_s);
#endif
  if (!transport_) transport_ = make_inprocess_transport(opt.devices);

  model_ = std::make_unique<Model>(load_model(opt.model_path, opt.tokenizer_path));
  const auto& cfg = model_->config;
  const int ctx = opt.ctx == 0 ? cfg.max_seq_len : opt.ctx;
  if (ctx > cfg.max_seq_len)
    throw std::invalid_argument(fmt::format("--ctx {} is longer than the model's context of {} tokens", ctx, cfg.max_seq_len));

  const int n = transport_->n_devices();
  std::vector<double> shares;
  if (!opt.shares.empty() && !opt.shares_from.empty())
    throw std::invalid_argument("give either --shares or --shares-from, not both");
  if (!opt.shares.empty()) shares = parse_shares(opt.shares);
  if (!opt.shares_from.empty()) shares = read_shares_file(opt.shares_from);
  if (shares.empty()) shares.assign(static_cast<size_t>(n), 1.0 / n);
  if (static_cast<int>(shares.size()) != n)
    throw std::invalid_argument(fmt::format("{} shares given for {} devices", shares.size(), n));
  // ffn_down is cut by columns, so MLP units go in whole quantization blocks.
  const int unit_block = block_size(model_->weights.layers.at(0).w_down.type);
  const Plan plan = make_plan(cfg, shares, unit_block);

  if (opt.allreduce == "exact") {
    allreduce_ = make_exact_allreduce(*transport_);
  } else if (opt.allreduce == "digital") {
    allreduce_ = make_digital_allreduce(*transport_, opt.quantizer, parse_topology(opt.topology));
  } else {
    throw std::invalid_argument(fmt::format("--allreduce '{}' is not one of exact, digital", opt.allreduce));
  }

  const int threads = opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<ThreadPool>(threads);
  engine_ = std::make_unique<Engine>(*model_, plan, *transport_, *allreduce_, *pool_, ctx);
}

int Session::share_token(int token) {
  std::byte buf[sizeof(int)];
  std::memcpy(buf, &token, sizeof token);
  transport_->broadcast(std::span<std::byte>(buf, sizeof buf), 0);
  std::memcpy(&token, buf, sizeof token);
  return token;
}

}  // namespace airtp
