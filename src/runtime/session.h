// One inference run wired from a RunConfig: the model, the transport (in-process devices, or
// one MPI rank per device), the all-reduce scheme from the registry, the plan and the engine.
// It is THE wiring: the CLI, the experiments, the perplexity reference and the tests all build
// their engines through it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "comm/allreduce.h"
#include "comm/scheme.h"
#include "comm/transport.h"
#include "model/model.h"
#include "runtime/run_config.h"
#include "tensor/threadpool.h"
#include "tp/engine.h"
#include "tp/plan.h"

namespace airtp {

class Session {
 public:
  // Validates the config (ParameterError naming the parameter) and loads config.model_path.
  explicit Session(const RunConfig& config);
  // Runs an already-loaded model (config.model_path is ignored): experiments load it once for
  // many runs. `pool` may be shared with another session; null = a pool of config.threads.
  Session(std::shared_ptr<const Model> model, const RunConfig& config, ThreadPool* pool = nullptr);
  ~Session();

  const Model& model() const { return *model_; }
  std::shared_ptr<const Model> shared_model() const { return model_; }
  Engine& engine() { return *engine_; }
  Transport& transport() { return *transport_; }
  const Transport& transport() const { return *transport_; }
  AllReduce& allreduce() { return *allreduce_; }
  const SchemeChoice& scheme() const { return scheme_; }
  ThreadPool& pool() { return *pool_; }
  const Plan& plan() const { return engine_->plan(); }
  const RunConfig& config() const { return config_; }
  bool is_root() const { return transport_->is_root(); }
  // Broadcasts a token id chosen on the root to every process.
  int share_token(int token);
  // Broadcasts the root's text to every process (the others' argument is ignored). `idle`: the
  // others may wait for it without the MPI deadline (a server's followers between requests).
  std::string share_text(std::string text, bool idle = false);
  // The links of this run, one radio entry per device.
  const LinkConfig& link() const { return link_; }

 private:
  void build(ThreadPool* pool);

  RunConfig config_;
  std::shared_ptr<const Model> model_;
  LinkConfig link_;
  SchemeChoice scheme_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<AllReduce> allreduce_;
  std::unique_ptr<ThreadPool> own_pool_;
  ThreadPool* pool_ = nullptr;
  std::unique_ptr<Engine> engine_;
};

}  // namespace airtp
