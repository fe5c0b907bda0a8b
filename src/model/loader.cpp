#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "model/model.h"
#include "util/parameter_error.h"

namespace airtp {

Model load_model(const std::string& path, const std::string& tokenizer_path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw ModelError(fmt::format("{}: cannot open model file: {}", path, std::strerror(errno)));
  char magic[4] = {};
  const size_t n = std::fread(magic, 1, sizeof magic, f.get());
  if (n < sizeof magic && std::ferror(f.get()))
    throw ModelError(fmt::format("{}: cannot read model file: {}", path, std::strerror(errno)));
  f.reset();
  if (n == sizeof magic && std::memcmp(magic, "GGUF", 4) == 0) {
    // A tokenizer given for a GGUF file would be silently unused: GGUF carries its own.
    if (!tokenizer_path.empty())
      throw ParameterError("tokenizer_path", fmt::format("'{}' applies to llama2.c models only: '{}' is a GGUF file and "
                                                         "carries its own tokenizer",
                                                         tokenizer_path, path));
    return load_gguf(path);
  }
  return load_llama2c(path, tokenizer_path);
}

}  // namespace airtp
