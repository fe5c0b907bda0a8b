// airtp convert: rewrite a model (GGUF or llama2.c) as GGUF in f32, f16 or q8_0.
#include <fmt/format.h>

#include <cstdio>

#include "cli/command.h"
#include "model/gguf_writer.h"
#include "model/model.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string in, tokenizer, out, type = "q8_0";
};

int run(const Options& o) {
  DType t;
  if (o.type == "f32") t = DType::F32;
  else if (o.type == "f16") t = DType::F16;
  else if (o.type == "q8_0") t = DType::Q8_0;
  else throw std::invalid_argument(fmt::format("--type '{}' is not one of f32, f16, q8_0", o.type));
  const Model m = load_model(o.in, o.tokenizer);
  save_gguf(m, o.out, t);
  const Model back = load_model(o.out);  // a file we cannot read back is not written successfully
  std::printf("wrote %s: %s, %d layers, dim %d, %.2fM parameters, %s\n", o.out.c_str(), std::string(dtype_name(t)).c_str(),
              back.config.n_layers, back.config.dim, back.config.total_params() / 1e6,
              back.tokenizer.empty() ? "no tokenizer" : fmt::format("{}-piece tokenizer", back.tokenizer.vocab_size()).c_str());
  return 0;
}

const Register reg{{"convert", "Convert a GGUF or llama2.c model to GGUF (f32, f16 or q8_0)", [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("input", o->in, "Model file (GGUF or llama2.c .bin)")->required();
                      app.add_option("output", o->out, "GGUF file to write")->required();
                      app.add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer.bin");
                      app.add_option("--type", o->type, "f32 | f16 | q8_0 (matrices whose rows are not a multiple of 32 stay f16)")->capture_default_str();
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
