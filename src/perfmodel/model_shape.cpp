#include "perfmodel/model_shape.h"

#include <fmt/format.h>

#include <array>

#include "model/config.h"
#include "model/model.h"
#include "util/input_error.h"

namespace airtp {

long long ModelShape::attention_params() const {
  const long long d = dim;
  return d * d * 2 + d * kv_dim() * 2;
}

long long ModelShape::mlp_params() const { return 3LL * dim * hidden_dim; }

long long ModelShape::total_params() const {
  return n_layers * layer_params() + 2 * classifier_params();
}

double ModelShape::weight_bytes(double share) const {
  // The embedding table is looked up, not multiplied, and is replicated on every device; it
  // still occupies memory, so it is charged to each device in full.
  const double split = (static_cast<double>(n_layers) * layer_params() + classifier_params());
  return bytes_per_weight * (share * split + static_cast<double>(classifier_params()));
}

void ModelShape::validate(const std::string& where) const {
  auto need = [&](bool ok, std::string_view field, std::string_view rule, auto value) {
    if (!ok)
      throw InputError(
          fmt::format("{}: model.{} = {} is invalid: must be {}", where, field, value, rule));
  };
  need(n_layers >= 1, "n_layers", ">= 1", n_layers);
  need(dim >= 1, "dim", ">= 1", dim);
  need(hidden_dim >= 1, "hidden_dim", ">= 1", hidden_dim);
  need(n_heads >= 1, "n_heads", ">= 1", n_heads);
  need(dim % n_heads == 0, "dim", fmt::format("a multiple of n_heads = {}", n_heads), dim);
  need(n_kv_heads >= 1 && n_kv_heads <= n_heads, "n_kv_heads",
       fmt::format("in [1, n_heads = {}]", n_heads), n_kv_heads);
  need(n_heads % n_kv_heads == 0, "n_heads",
       fmt::format("a multiple of n_kv_heads = {}", n_kv_heads), n_heads);
  need(vocab >= 1, "vocab", ">= 1", vocab);
  need(bytes_per_weight > 0 && bytes_per_weight <= 8, "bytes_per_weight", "in (0, 8]",
       bytes_per_weight);
}

namespace {
struct Preset {
  const char* name;
  int n_layers, dim, hidden_dim, n_heads, n_kv_heads, vocab, context;
  float rope_theta;
};
// paper.md 5.5 (model cards), and TinyLlama-1.1B's config.json.
constexpr std::array<Preset, 6> kPresets{{
    {"tinyllama-1.1b", 22, 2048, 5632, 32, 4, 32000, 2048, 10000.0f},
    {"llama2-7b", 32, 4096, 11008, 32, 32, 32000, 4096, 10000.0f},
    {"llama2-13b", 40, 5120, 13824, 40, 40, 32000, 4096, 10000.0f},
    {"llama2-70b", 80, 8192, 28672, 64, 8, 32000, 4096, 10000.0f},
    {"llama3-8b", 32, 4096, 14336, 32, 8, 128256, 8192, 500000.0f},
    {"llama3-70b", 80, 8192, 28672, 64, 8, 128256, 8192, 500000.0f},
}};
}  // namespace

ModelShape model_shape_preset(std::string_view name, double bytes_per_weight) {
  for (const auto& p : kPresets) {
    if (name == p.name) {
      ModelShape s{p.name,      p.n_layers,   p.dim,   p.hidden_dim,
                   p.n_heads,   p.n_kv_heads, p.vocab, bytes_per_weight};
      s.context = p.context;
      s.rope_theta = p.rope_theta;
      s.validate(fmt::format("model preset {}", name));
      return s;
    }
  }
  throw InputError(fmt::format("unknown model preset '{}' (known: {})", name,
                                  fmt::join(model_shape_preset_names(), ", ")));
}

std::vector<std::string> model_shape_preset_names() {
  std::vector<std::string> names;
  for (const auto& p : kPresets) names.emplace_back(p.name);
  return names;
}

ModelShape model_shape_from_config(const ModelConfig& cfg, double bytes_per_weight) {
  ModelShape s{cfg.name,    cfg.n_layers,   cfg.dim,        cfg.hidden_dim,
               cfg.n_heads, cfg.n_kv_heads, cfg.vocab_size, bytes_per_weight};
  s.validate(fmt::format("model config {}", cfg.name));
  return s;
}

ModelShape model_shape_of(const Model& m) {
  return model_shape_from_config(m.config, bytes_per_value(m.weight_type));
}

}  // namespace airtp
