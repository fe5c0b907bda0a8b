// llama2.c: arbitrary bytes through load_llama2c (run.c layout and the "ak42" version-1 export)
// and load_llama2c_tokenizer. Input layout: u32 n (little-endian), n bytes of checkpoint, the
// rest is tokenizer.bin (when n exceeds what follows, the whole rest is the checkpoint and there
// is no tokenizer). Oracles: only ModelError may escape, with a one-line printable message; a
// loaded model's weight views lie inside the checkpoint; a loaded tokenizer has the model's
// vocabulary and encodes and decodes text.
#include <climits>
#include <cstdint>
#include <cstring>

#include "fuzz_input.h"
#include "model/model.h"

namespace airtp {
namespace {

void check_views(const Model& m, size_t file_size) {
  const auto* base = static_cast<const uint8_t*>(m.storage.get());
  auto inside = [&](const void* p, size_t n, const char* what) {
    const auto* q = static_cast<const uint8_t*>(p);
    if (q < base || n > file_size || q - base > static_cast<ptrdiff_t>(file_size - n))
      fuzz::invariant_failed("weight view outside the checkpoint:", what);
  };
  const auto& c = m.config;
  const size_t norm = static_cast<size_t>(c.dim) * sizeof(float);
  inside(m.weights.token_embd.data, m.weights.token_embd.bytes(), "token_embd");
  inside(m.weights.output.data, m.weights.output.bytes(), "output");
  inside(m.weights.output_norm, norm, "output_norm");
  for (const auto& L : m.weights.layers) {
    inside(L.attn_norm, norm, "attn_norm");
    inside(L.ffn_norm, norm, "ffn_norm");
    for (const Matrix* x : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
      inside(x->data, x->bytes(), "layer matrix");
  }
}

void exercise(const Tokenizer& t) {
  const auto ids = t.encode("The quick \xe2\x96\x81 brown \xff fox", true);
  for (int id : ids)
    if (id < 0 || id >= t.vocab_size()) fuzz::invariant_failed("encode gave an id outside the vocabulary");
  (void)t.decode(ids);
}

}  // namespace
}  // namespace airtp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  if (size < 4) return 0;
  uint32_t n = 0;
  std::memcpy(&n, data, 4);
  data += 4;
  size -= 4;
  const bool has_tok = n <= size;
  const size_t model_size = has_tok ? n : size;
  fuzz::MemFile model(data, model_size);
  fuzz::MemFile tok(data + model_size, size - model_size);
  try {
    const Model m = load_llama2c(model.path(), has_tok ? tok.path() : "");
    check_views(m, model_size);
    if (has_tok) {
      if (m.tokenizer.vocab_size() != m.config.vocab_size) fuzz::invariant_failed("tokenizer size");
      exercise(m.tokenizer);
    }
  } catch (const ModelError& e) {
    fuzz::check_message(e);
  }
  // The tokenizer on its own, for the vocabulary size the checkpoint header claims.
  if (has_tok && model_size >= 28) {
    int32_t vocab = 0;
    std::memcpy(&vocab, data + 20, 4);
    if (vocab < 0 && vocab != INT_MIN) vocab = -vocab;
    try {
      exercise(load_llama2c_tokenizer(tok.path(), vocab));
    } catch (const ModelError& e) {
      fuzz::check_message(e);
    }
  }
  return 0;
}
