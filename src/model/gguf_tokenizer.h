// The tokenizer of a GGUF file, from its tokenizer.ggml.* keys (llama.cpp's names and defaults).
#pragma once
#include "model/gguf_file.h"
#include "model/tokenizer.h"

namespace airtp {

// An empty Tokenizer when the file has no tokenizer.ggml.tokens. Throws ModelError naming the
// file and the key for an unsupported tokenizer model or pre-tokenizer and malformed arrays.
Tokenizer read_gguf_tokenizer(const gguf::File& f);

}  // namespace airtp
