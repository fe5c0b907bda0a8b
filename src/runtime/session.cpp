#include "runtime/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <thread>

#include "util/parameter_error.h"

namespace airtp {

Session::~Session() = default;

Session::Session(const RunConfig& config) : config_(config) {
  config_.validate();
  model_ = std::make_shared<const Model>(load_model(config_.model_path, config_.tokenizer_path));
  build(nullptr);
}

Session::Session(std::shared_ptr<const Model> model, const RunConfig& config, ThreadPool* pool)
    : config_(config), model_(std::move(model)) {
  config_.validate();
  build(pool);
}

void Session::build(ThreadPool* pool) {
  scheme_ = choose_scheme(config_.allreduce, config_.allreduce_options);
  if (config_.transport == TransportKind::Mpi) {
#ifdef AIRTP_WITH_MPI
    transport_ = make_mpi_transport(config_.mpi_timeout_s);
#else
    throw ParameterError("transport", "mpi is not available: this build has no MPI (AIRTP_WITH_MPI=OFF)");
#endif
  } else {
    transport_ = make_inprocess_transport(config_.devices);
  }

  const auto& cfg = model_->config;
  const int ctx = config_.ctx == 0 ? cfg.max_seq_len : config_.ctx;
  if (ctx > cfg.max_seq_len)
    throw ParameterError("ctx", fmt::format("{} is longer than the model's context of {} tokens", ctx, cfg.max_seq_len));

  const int n = transport_->n_devices();
  std::vector<double> shares = config_.shares;
  if (shares.empty()) shares.assign(static_cast<size_t>(n), 1.0 / n);
  if (static_cast<int>(shares.size()) != n)
    throw ParameterError("shares", fmt::format("has {} entries for {} devices", shares.size(), n));
  // ffn_down is cut by columns: MLP units go in whole quantization blocks where there are enough.
  const int unit_block = mlp_unit_block(cfg, block_size(model_->weights.layers.at(0).w_down.type), n);
  const Plan plan = make_plan(cfg, shares, unit_block);

  link_ = make_link_config(config_, n);
  allreduce_ = make_allreduce(scheme_, *transport_, link_);
  allreduce_->set_measure_error(config_.measure_error.value_or(config_.transport != TransportKind::Mpi));

  pool_ = pool;
  if (!pool_) {
    const int threads = config_.threads > 0 ? config_.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    own_pool_ = std::make_unique<ThreadPool>(threads);
    pool_ = own_pool_.get();
  }
  engine_ = std::make_unique<Engine>(*model_, plan, *transport_, *allreduce_, *pool_, ctx, config_.coherence);
  engine_->set_max_batch(config_.batch);
}

int Session::share_token(int token) {
  std::byte buf[sizeof(int)];
  std::memcpy(buf, &token, sizeof token);
  transport_->broadcast(std::span<std::byte>(buf, sizeof buf), 0);
  std::memcpy(&token, buf, sizeof token);
  return token;
}

std::string Session::share_text(std::string text, bool idle) {
  uint64_t size = text.size();
  const auto size_bytes = std::as_writable_bytes(std::span(&size, 1));
  if (idle) transport_->broadcast_unbounded(size_bytes, 0);
  else transport_->broadcast(size_bytes, 0);
  text.resize(size);
  // Once the size has come, the text follows at once: the deadline holds again.
  if (size > 0) transport_->broadcast(std::as_writable_bytes(std::span(text.data(), text.size())), 0);
  return text;
}

}  // namespace airtp
