// airtp convert: rewrite a model (GGUF or llama2.c) as GGUF in f32, f16 or q8_0.
#include <fmt/format.h>

#include <cctype>
#include <cstdio>

#include "cli/command.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "tensor/type_traits.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string in, tokenizer, out, type = "q8_0";
};

// The types airtp can encode, lower-case as the flag takes them.
std::string writable_types() {
  std::vector<std::string> names;
  for (const auto& tr : all_types()) {
    if (!tr.from_float) continue;
    std::string n(tr.name);
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.push_back(n);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

int run(const Options& o) {
  const TypeTraits* tr = find_type(o.type);
  if (!tr || !tr->from_float) throw std::invalid_argument(fmt::format("--type '{}' is not one of {}", o.type, writable_types()));
  const DType t = tr->type;
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
                      app.add_option("--type", o->type, writable_types() + " (matrices whose rows do not split into whole blocks are stored f16)")->capture_default_str();
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
