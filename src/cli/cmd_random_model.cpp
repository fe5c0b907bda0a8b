// airtp random-model: a Llama GGUF of a given shape with random weights, for speed and scaling
// measurements of models too big to ship (the defaults are the 0.85 B-parameter shape the speed
// comparisons with llama.cpp use: TinyLlama's widths, 16 layers).
#include <fmt/format.h>

#include <cctype>
#include <cstdio>

#include "cli/command.h"
#include "model/model.h"
#include "model/random_model.h"
#include "perfmodel/model_shape.h"
#include "tensor/type_traits.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string out, preset, type = "q8_0";
  ModelConfig c{.name = "random-0.85b", .dim = 2048, .hidden_dim = 5632, .n_layers = 16, .n_heads = 32,
                .n_kv_heads = 8, .vocab_size = 32000, .max_seq_len = 2048, .tied_output = false};
  uint64_t seed = 1;
};

int run(Options o) {
  const TypeTraits* tr = find_type(o.type);
  if (!tr || !tr->from_float) throw std::invalid_argument(fmt::format("--type '{}' cannot be written", o.type));
  if (!o.preset.empty()) {
    const ModelShape s = model_shape_preset(o.preset);
    o.c.name = "random-" + s.name;
    o.c.n_layers = s.n_layers;
    o.c.dim = s.dim;
    o.c.hidden_dim = s.hidden_dim;
    o.c.n_heads = s.n_heads;
    o.c.n_kv_heads = s.n_kv_heads;
    o.c.vocab_size = s.vocab;
    o.c.max_seq_len = s.context;
    o.c.rope_theta = s.rope_theta;
  }
  write_random_gguf(o.c, tr->type, o.seed, o.out);
  const Model back = load_model(o.out);  // a file we cannot read back is not written successfully
  std::printf("wrote %s: %s, %d layers, dim %d, %d heads / %d KV heads, FFN %d, vocab %d, %.2fM parameters (random)\n",
              o.out.c_str(), std::string(dtype_name(tr->type)).c_str(), back.config.n_layers, back.config.dim,
              back.config.n_heads, back.config.n_kv_heads, back.config.hidden_dim, back.config.vocab_size,
              back.config.total_params() / 1e6);
  return 0;
}

const Register reg{{"random-model", "Write a Llama GGUF of a given shape with random weights (for speed measurements)",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("output", o->out, "GGUF file to write")->required();
                      app.add_option("--preset", o->preset, "a model card's shapes, context and rope base instead of the flags below")
                          ->check(CLI::IsMember(model_shape_preset_names()));
                      app.add_option("--type", o->type, "weight type (any that convert writes: f32, f16, q8_0, q4_0, q4_k, ...)")->capture_default_str();
                      app.add_option("--layers", o->c.n_layers, "transformer layers")->capture_default_str()->check(CLI::Range(1, 1024));
                      app.add_option("--dim", o->c.dim, "embedding width")->capture_default_str()->check(CLI::Range(1, 65536));
                      app.add_option("--ffn", o->c.hidden_dim, "SwiGLU hidden units")->capture_default_str()->check(CLI::Range(1, 262144));
                      app.add_option("--heads", o->c.n_heads, "query heads")->capture_default_str()->check(CLI::Range(1, 1024));
                      app.add_option("--kv-heads", o->c.n_kv_heads, "key/value heads")->capture_default_str()->check(CLI::Range(1, 1024));
                      app.add_option("--vocab", o->c.vocab_size, "vocabulary size")->capture_default_str()->check(CLI::Range(1, 1 << 20));
                      app.add_option("--ctx", o->c.max_seq_len, "context length")->capture_default_str()->check(CLI::Range(1, 1 << 20));
                      app.add_option("--seed", o->seed, "same seed, same bytes")->capture_default_str();
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
