// Hyper-parameters of a Llama-architecture model.
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct ModelConfig {
  std::string name;         // general.name, or the file stem
  int dim = 0;              // embedding width d
  int hidden_dim = 0;       // SwiGLU hidden units
  int n_layers = 0;
  int n_heads = 0;          // query heads
  int n_kv_heads = 0;       // key/value heads (grouped-query attention when < n_heads)
  int vocab_size = 0;
  int max_seq_len = 0;      // context length the model was trained for
  float rope_theta = 10000.0f;
  // Llama 3.1's rope scaling as the file stores it (rope_freqs.weight, head_dim/2 values): the
  // rotation angle of pair i is divided by factor i. Empty: no scaling.
  std::vector<float> rope_freq_factors{};
  float norm_eps = 1e-5f;
  bool tied_output = true;  // classifier shares the token embedding (no separate output matrix)

  int head_dim() const { return dim / n_heads; }
  int kv_dim() const { return head_dim() * n_kv_heads; }
  int heads_per_kv() const { return n_heads / n_kv_heads; }
  // Parameters of one transformer layer (the s_tot of the paper's energy model).
  long long layer_params() const;
  // Every parameter of the model: layers, embedding, final norm, and the classifier unless tied.
  long long total_params() const;
  // Throws ModelError naming `source` when the numbers are inconsistent.
  void validate(const std::string& source) const;
};

}  // namespace airtp
