// The weights of a whole model as views into storage the Model owns (a memory-mapped file or
// buffers). Norm weights are always float32.
#pragma once
#include <vector>

#include "tensor/matrix.h"

namespace airtp {

struct LayerWeights {
  const float* attn_norm = nullptr;  // [dim]
  Matrix wq;                         // [n_heads*head_dim, dim]
  Matrix wk;                         // [n_kv_heads*head_dim, dim]
  Matrix wv;                         // [n_kv_heads*head_dim, dim]
  Matrix wo;                         // [dim, n_heads*head_dim]
  const float* ffn_norm = nullptr;   // [dim]
  Matrix w_gate;                     // [hidden, dim]  (GGUF ffn_gate, llama2.c w1)
  Matrix w_down;                     // [dim, hidden]  (GGUF ffn_down, llama2.c w2)
  Matrix w_up;                       // [hidden, dim]  (GGUF ffn_up,   llama2.c w3)
};

struct ModelWeights {
  Matrix token_embd;                 // [vocab, dim]
  std::vector<LayerWeights> layers;
  const float* output_norm = nullptr;  // [dim]
  Matrix output;                     // [vocab, dim] (may alias token_embd when tied)
};

}  // namespace airtp
