// GGUF: arbitrary bytes through load_gguf (container validation, Llama config, tokenizer,
// tensor directory) and every typed metadata getter. Oracles: only ModelError may escape, with a
// one-line printable message; a loaded model's weight views lie inside the file; a small loaded
// model runs a forward pass that ends in logits or in the engine's documented error, never in a
// crash.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "model/gguf_file.h"
#include "model/model.h"
#include "runtime/session.h"

namespace airtp {
namespace {

void check_inside(const void* p, size_t nbytes, const uint8_t* base, size_t size, const char* what) {
  const auto* q = static_cast<const uint8_t*>(p);
  if (nbytes == 0) return;
  if (q == nullptr || q < base || nbytes > size || q - base > static_cast<ptrdiff_t>(size - nbytes))
    fuzz::invariant_failed("weight view outside the file:", what);
}

void check_views(const Model& m, size_t file_size) {
  const auto* base = static_cast<const uint8_t*>(m.storage.get());
  const auto& c = m.config;
  const auto& w = m.weights;
  const size_t norm = static_cast<size_t>(c.dim) * sizeof(float);
  auto mat = [&](const Matrix& x, int rows, int cols, const char* what) {
    if (x.rows != rows || x.cols != cols) fuzz::invariant_failed("matrix shape differs from the config:", what);
    check_inside(x.data, x.bytes(), base, file_size, what);
  };
  mat(w.token_embd, c.vocab_size, c.dim, "token_embd");
  mat(w.output, c.vocab_size, c.dim, "output");
  check_inside(w.output_norm, norm, base, file_size, "output_norm");
  if (w.layers.size() != static_cast<size_t>(c.n_layers)) fuzz::invariant_failed("layer count");
  for (const auto& L : w.layers) {
    check_inside(L.attn_norm, norm, base, file_size, "attn_norm");
    check_inside(L.ffn_norm, norm, base, file_size, "ffn_norm");
    mat(L.wq, c.dim, c.dim, "wq");
    mat(L.wk, c.kv_dim(), c.dim, "wk");
    mat(L.wv, c.kv_dim(), c.dim, "wv");
    mat(L.wo, c.dim, c.dim, "wo");
    mat(L.w_gate, c.hidden_dim, c.dim, "w_gate");
    mat(L.w_up, c.hidden_dim, c.dim, "w_up");
    mat(L.w_down, c.dim, c.hidden_dim, "w_down");
  }
}

// Two tokens through the tensor-parallel engine on up to 2 in-process devices.
void run_forward(const Model& m) {
  if (m.config.total_params() > 200000) return;  // keep every execution fast
  static ThreadPool pool(1);
  RunConfig c;
  c.devices = m.config.n_kv_heads >= 2 ? 2 : 1;
  c.ctx = 4;
  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(std::shared_ptr<const Model>(&m, [](const Model*) {}), c, &pool);
  } catch (const std::invalid_argument&) {
    return;  // a split the shapes do not allow (e.g. not on Q8_0 block boundaries): documented
  }
  const int tokens[2] = {0, m.config.vocab_size - 1};
  try {
    const auto logits = session->engine().forward(tokens, 0);
    if (logits.size() != static_cast<size_t>(m.config.vocab_size)) fuzz::invariant_failed("logit count");
  } catch (const std::runtime_error& e) {
    // The engine's documented errors: non-finite logits (NaN/Inf weights, overflowing
    // activations), or attention scores that all overflowed to -inf (huge finite weights).
    const std::string what = e.what();
    if (what.find("non-finite logit") == std::string::npos &&
        what.find("non-finite attention scores") == std::string::npos)
      throw;
  }
}

void probe_metadata(const gguf::File& f) {
  for (const auto& k : f.keys()) {
    auto call = [&](auto fn) {
      try {
        fn();
      } catch (const ModelError& e) {
        fuzz::check_message(e);
      }
    };
    call([&] { f.get_int_opt(k); });
    call([&] { f.get_float_opt(k); });
    call([&] { f.get_bool_opt(k); });
    call([&] { f.get_string_opt(k); });
    call([&] { f.get_string_array(k); });
    call([&] { f.get_float_array(k); });
    call([&] { f.get_int_array(k); });
  }
}

}  // namespace
}  // namespace airtp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  fuzz::MemFile file(data, size);
  try {
    probe_metadata(gguf::File::open(file.path()));
  } catch (const ModelError& e) {
    fuzz::check_message(e);
  }
  try {
    const Model m = load_gguf(file.path());
    check_views(m, size);
    if (!m.tokenizer.empty()) {
      const auto ids = m.tokenizer.encode("Hello, w\xc3\xb6rld \xe2\x96\x81 <s>", true);
      (void)m.tokenizer.decode(ids);
    }
    run_forward(m);
  } catch (const ModelError& e) {
    fuzz::check_message(e);
  }
  return 0;
}
