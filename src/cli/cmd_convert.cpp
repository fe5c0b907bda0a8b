// airtp convert: rewrite a model (GGUF or llama2.c) as GGUF in f32, f16 or q8_0.
#include <fmt/format.h>

#include <cctype>
#include <cstdio>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "tensor/type_traits.h"
#include "util/atomic_file.h"
#include "util/parameter_error.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string in, tokenizer, out, type = "q8_0";
};

// The types airtp can encode, lower-case as the flag takes them.
std::string writable_types() {
  std::vector<std::string> names;
  for (const auto& tr : all_types()) {
    if (!tr.from_float || tr.activation_only) continue;
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
  // The input is memory-mapped while the output is written: the same file as both would be
  // read while it is replaced (and a reader of it would be told nothing).
  if (same_file(o.in, o.out)) throw ParameterError("output", fmt::format("'{}' is the input file '{}'; write to another path", o.out, o.in));
  if (!o.tokenizer.empty() && same_file(o.tokenizer, o.out))
    throw ParameterError("output", fmt::format("'{}' is the tokenizer file '{}'; write to another path", o.out, o.tokenizer));
  const Model m = load_model(o.in, o.tokenizer);
  Model back;
  // A file we cannot read back is not written: the check runs before it replaces anything.
  save_gguf(m, o.out, t, [&](const std::string& temp) { back = load_model(temp); });
  std::printf("wrote %s: %s, %d layers, dim %d, %.2fM parameters, %s\n", o.out.c_str(), std::string(dtype_name(t)).c_str(),
              back.config.n_layers, back.config.dim, back.config.total_params() / 1e6,
              back.tokenizer.empty() ? "no tokenizer" : fmt::format("{}-piece tokenizer", back.tokenizer.vocab_size()).c_str());
  return 0;
}

const Register reg{{"convert", "Convert a GGUF or llama2.c model to GGUF (f32, f16 or a quantized type: see --type)", [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      add_parameter(app, "input", "input", o->in, "Model file (GGUF or llama2.c .bin)")->required();
                      add_parameter(app, "output", "output", o->out, "GGUF file to write (not the input)")->required();
                      app.add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer.bin");
                      app.add_option("--type", o->type, writable_types() + " (matrices whose rows do not split into whole blocks are stored f16)")->capture_default_str();
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
