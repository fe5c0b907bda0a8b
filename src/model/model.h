// A loaded model: configuration, weights (views), tokenizer, and the storage behind them.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "model/config.h"
#include "model/model_error.h"
#include "model/tokenizer.h"
#include "model/weights.h"
#include "tensor/dtype.h"

namespace airtp {

struct Model {
  ModelConfig config;
  ModelWeights weights;
  Tokenizer tokenizer;       // empty when the file carries none (llama2.c without tokenizer.bin)
  // GGUF tokenizer.chat_template: the Jinja source of the model's chat format ("" when absent);
  // the server recognises its family from it.
  std::string chat_template;
  std::string path;
  std::string format;        // "gguf" or "llama2c"
  DType weight_type = DType::F32;  // type of the big matrices (for reports)
  std::shared_ptr<void> storage;   // keeps the mapping / buffers alive
  // True when the weights are views into a read-only file mapping (the loaders' case), whose
  // pages a device may release after copying its shard (release_mapped_pages).
  bool weights_mapped = false;
};

// Loads a GGUF v3 file (by magic) or a llama2.c checkpoint. For llama2.c the tokenizer is read
// from `tokenizer_path` or, when empty, from tokenizer.bin next to the model if it exists.
// Throws ModelError with the file name and the problem on any malformed input.
Model load_model(const std::string& path, const std::string& tokenizer_path = "");

Model load_gguf(const std::string& path);
// Just the tokenizer of a model file: any GGUF with tokenizer.ggml.* keys, vocabulary-only files
// included, or a llama2.c checkpoint with tokenizer.bin next to it. Throws ModelError naming the
// file when it carries none.
Tokenizer load_tokenizer(const std::string& path);
// Also reads the legacy export's "version 1" (float32, 256-byte header with magic "ak42");
// version 2 (int8 groups) is rejected with a clear error.
Model load_llama2c(const std::string& path, const std::string& tokenizer_path = "");

// llama2.c's tokenizer.bin for a model of `vocab_size` tokens. Its pieces spell spaces as ' '
// (converted back to U+2581 here); ids 0, 1, 2 are <unk>, <s>, </s>; "<0xXX>" pieces are bytes.
Tokenizer load_llama2c_tokenizer(const std::string& path, int vocab_size);

}  // namespace airtp
