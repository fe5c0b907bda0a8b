// A Llama GGUF of any shape with random weights: what speed and scaling are measured on when the
// real file is gigabytes away (llama-bench's numbers do not depend on the weights' values, and
// neither do ours). The file has no tokenizer: feed it token ids.
#pragma once
#include <cstdint>
#include <string>

#include "model/config.h"
#include "tensor/dtype.h"

namespace airtp {

// Matrices uniform in +-sqrt(3) * 0.02 (std 0.02, as Llama initialises them), norms 1, each
// tensor produced and quantized to `type` as it is written, so memory stays at one tensor. The
// same seed gives the same bytes. Throws ModelError for an inconsistent config,
// std::runtime_error when the file cannot be written.
void write_random_gguf(const ModelConfig& c, DType type, uint64_t seed, const std::string& path);

}  // namespace airtp
