// The dimensions of a Llama-architecture model that the latency model, payload accounting and
// model assignment need (no weights). Presets for the models of the paper (paper.md 5.5).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace airtp {

struct ModelConfig;
struct Model;

struct ModelShape {
  std::string name;
  int n_layers = 0;
  int dim = 0;         // d: the length of every all-reduced vector per token
  int hidden_dim = 0;  // SwiGLU hidden units
  int n_heads = 0;
  int n_kv_heads = 0;
  int vocab = 0;
  // Storage per weight: 2 = f16, 34/32 = Q8_0, 18/32 = Q4_0 (distributed-llama's format).
  double bytes_per_weight = 2.0;
  // The model card's metadata beyond the shapes (presets only; 0 when unknown).
  int context = 0;
  float rope_theta = 0.0f;

  int head_dim() const { return dim / n_heads; }
  int kv_dim() const { return head_dim() * n_kv_heads; }
  long long attention_params() const;  // wq, wk, wv, wo of one layer
  long long mlp_params() const;        // w1, w2, w3 of one layer
  // s_tot of the paper: the parameters of one layer that are split by the shares m
  // (norm vectors are replicated and omitted).
  long long layer_params() const { return attention_params() + mlp_params(); }
  long long classifier_params() const { return static_cast<long long>(vocab) * dim; }
  long long total_params() const;  // layers + embedding + classifier (norms omitted)
  // Bytes of the split weights a device holds for share m (all layers + its classifier slice).
  double weight_bytes(double share) const;
  double total_weight_bytes() const { return weight_bytes(1.0); }
  // Two all-reduces of d values per layer per decoded token (paper.md T8).
  int allreduces_per_token() const { return 2 * n_layers; }
  long long allreduce_values_per_token() const { return 2LL * n_layers * dim; }

  void validate(const std::string& where) const;
};

// "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b"; throws InputError listing
// the known names.
ModelShape model_shape_preset(std::string_view name, double bytes_per_weight = 2.0);
std::vector<std::string> model_shape_preset_names();
// The shape of a loaded airtp model (uses only ModelConfig's fields).
ModelShape model_shape_from_config(const ModelConfig& cfg, double bytes_per_weight);
// The shape of a loaded model, bytes per weight from the type of its big matrices.
ModelShape model_shape_of(const Model& m);

}  // namespace airtp
