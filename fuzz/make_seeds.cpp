// Writes the seed inputs of the fuzz targets: micro models (a few KB, so that mutations stay
// cheap) in every format and type the loaders read. Usage:
//   fuzz_make_seeds OUT_DIR [TEST_DATA_DIR]
// writes OUT_DIR/{gguf,llama2c}/...; with TEST_DATA_DIR also the real test models
// (tiny-*.gguf, tiny.bin + tiny-tokenizer.bin packed for fuzz_llama2c), which are too large to
// keep in fuzz/corpus/ but good starting points for longer runs.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "model/gguf_writer.h"
#include "model/model.h"

namespace {

namespace fs = std::filesystem;
using airtp::gguf::Writer;
using Bytes = std::vector<uint8_t>;

// Deterministic small weights in [-0.5, 0.5).
float weight(uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull + 12345;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<float>(x % 1000) / 1000.0f - 0.5f;
}

void put_f32(Bytes& b, float v) {
  uint8_t raw[4];
  std::memcpy(raw, &v, 4);
  b.insert(b.end(), raw, raw + 4);
}
void put_i32(Bytes& b, int32_t v) {
  uint8_t raw[4];
  std::memcpy(raw, &v, 4);
  b.insert(b.end(), raw, raw + 4);
}

uint16_t to_half(float f) {  // normal range only, enough for weights in [-0.5, 0.5)
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | ((x >> 13) & 0x3ffu));
}

Bytes tensor(uint32_t type, uint64_t n, uint64_t& counter) {
  Bytes b;
  if (type == airtp::gguf::kTypeF32) {
    for (uint64_t i = 0; i < n; ++i) put_f32(b, weight(counter++));
  } else if (type == airtp::gguf::kTypeF16) {
    for (uint64_t i = 0; i < n; ++i) {
      const uint16_t h = to_half(weight(counter++));
      b.push_back(static_cast<uint8_t>(h));
      b.push_back(static_cast<uint8_t>(h >> 8));
    }
  } else {  // Q8_0: scale 1/127 per block
    for (uint64_t blk = 0; blk < n / 32; ++blk) {
      const uint16_t d = to_half(1.0f / 127.0f);
      b.push_back(static_cast<uint8_t>(d));
      b.push_back(static_cast<uint8_t>(d >> 8));
      for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(static_cast<int8_t>(weight(counter++) * 254)));
    }
  }
  return b;
}

struct Shape {
  int dim, hidden, layers, heads, kv_heads, ctx;
};

// Vocabulary: <unk> <s> </s>, a few merges, and optionally all 256 byte pieces.
struct Vocab {
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::vector<int32_t> types;
};
Vocab make_vocab(bool bytes) {
  Vocab v;
  auto add = [&](std::string p, float s, int32_t t) {
    v.pieces.push_back(std::move(p));
    v.scores.push_back(s);
    v.types.push_back(t);
  };
  add("<unk>", 0, 2);
  add("<s>", 0, 3);
  add("</s>", 0, 3);
  if (bytes)
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      add(name, 0, 6);
    }
  for (const char* p : {"\xe2\x96\x81", "a", "b", "\xe2\x96\x81" "a", "ab", "\xe2\x96\x81" "ab"})
    add(p, -static_cast<float>(v.pieces.size()), 1);
  return v;
}

Bytes micro_gguf(const Shape& s, uint32_t type, bool with_tokenizer, bool byte_vocab, bool tied) {
  const Vocab v = make_vocab(byte_vocab);
  const uint64_t n_vocab = v.pieces.size();
  Writer w;
  w.add_string("general.architecture", "llama");
  w.add_string("general.name", "micro");
  w.add_uint32("llama.context_length", static_cast<uint32_t>(s.ctx));
  w.add_uint32("llama.embedding_length", static_cast<uint32_t>(s.dim));
  w.add_uint32("llama.feed_forward_length", static_cast<uint32_t>(s.hidden));
  w.add_uint32("llama.block_count", static_cast<uint32_t>(s.layers));
  w.add_uint32("llama.attention.head_count", static_cast<uint32_t>(s.heads));
  w.add_uint32("llama.attention.head_count_kv", static_cast<uint32_t>(s.kv_heads));
  w.add_uint32("llama.rope.dimension_count", static_cast<uint32_t>(s.dim / s.heads));
  w.add_float32("llama.rope.freq_base", 10000.0f);
  w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  if (with_tokenizer) {
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_string_array("tokenizer.ggml.tokens", v.pieces);
    w.add_float32_array("tokenizer.ggml.scores", v.scores);
    w.add_int32_array("tokenizer.ggml.token_type", v.types);
    w.add_uint32("tokenizer.ggml.bos_token_id", 1);
    w.add_uint32("tokenizer.ggml.eos_token_id", 2);
    w.add_uint32("tokenizer.ggml.unknown_token_id", 0);
    w.add_bool("tokenizer.ggml.add_space_prefix", true);
  }
  uint64_t counter = 0;
  const uint64_t d = s.dim, h = s.hidden, kv = static_cast<uint64_t>(s.dim / s.heads * s.kv_heads);
  auto mat = [&](const std::string& name, uint64_t rows, uint64_t cols) {
    w.add_tensor(name, type, {cols, rows}, tensor(type, rows * cols, counter));
  };
  auto norm = [&](const std::string& name) {
    w.add_tensor(name, airtp::gguf::kTypeF32, {d}, tensor(airtp::gguf::kTypeF32, d, counter));
  };
  mat("token_embd.weight", n_vocab, d);
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    norm(p + "attn_norm.weight");
    mat(p + "attn_q.weight", d, d);
    mat(p + "attn_k.weight", kv, d);
    mat(p + "attn_v.weight", kv, d);
    mat(p + "attn_output.weight", d, d);
    norm(p + "ffn_norm.weight");
    mat(p + "ffn_gate.weight", h, d);
    mat(p + "ffn_down.weight", d, h);
    mat(p + "ffn_up.weight", h, d);
  }
  norm("output_norm.weight");
  if (!tied) mat("output.weight", n_vocab, d);
  return w.bytes();
}

// llama2.c checkpoint (run.c layout, or export.py version 1 when v1) of a vocabulary of n tokens.
Bytes micro_llama2c(const Shape& s, int n_vocab, bool tied, bool v1) {
  Bytes b;
  const int32_t header[7] = {s.dim, s.hidden, s.layers, s.heads, s.kv_heads, tied ? n_vocab : -n_vocab, s.ctx};
  if (v1) {
    put_i32(b, 0x616b3432);
    put_i32(b, 1);
    for (int32_t x : header) put_i32(b, x < 0 ? -x : x);
    b.push_back(tied ? 1 : 0);
    b.resize(256, 0);
  } else {
    for (int32_t x : header) put_i32(b, x);
  }
  const long long d = s.dim, h = s.hidden, L = s.layers, kv = d / s.heads * s.kv_heads;
  long long n = n_vocab * d + L * (2 * d + 2 * d * d + 2 * kv * d + 3 * h * d) + d;
  if (!v1) n += static_cast<long long>(s.ctx) * (d / s.heads);
  if (!tied) n += n_vocab * d;
  for (long long i = 0; i < n; ++i) put_f32(b, weight(static_cast<uint64_t>(i)));
  return b;
}

Bytes llama2c_tokenizer(const Vocab& v) {
  Bytes b;
  put_i32(b, 8);
  for (size_t i = 0; i < v.pieces.size(); ++i) {
    std::string p = v.pieces[i];
    // export.py writes U+2581 as ' '.
    for (size_t k; (k = p.find("\xe2\x96\x81")) != std::string::npos;) p.replace(k, 3, " ");
    put_f32(b, v.scores[i]);
    put_i32(b, static_cast<int32_t>(p.size()));
    b.insert(b.end(), p.begin(), p.end());
  }
  return b;
}

// fuzz_llama2c's input: u32 checkpoint size, checkpoint, tokenizer.bin.
Bytes pack(const Bytes& model, const Bytes& tok) {
  Bytes b;
  put_i32(b, static_cast<int32_t>(model.size()));
  b.insert(b.end(), model.begin(), model.end());
  b.insert(b.end(), tok.begin(), tok.end());
  return b;
}

Bytes read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& p, const Bytes& b, bool quiet = false) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
  if (!quiet) std::printf("%8zu  %s\n", b.size(), p.string().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [TEST_DATA_DIR]\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  using namespace airtp::gguf;
  const Shape small{8, 16, 1, 2, 1, 4};
  const Shape q8{32, 32, 1, 2, 1, 4};
  for (const char* name : {"micro-f32.gguf", "micro-f32-bytes-untied.gguf", "micro-f16.gguf",
                           "micro-f16-no-tokenizer.gguf", "micro-q8_0.gguf"}) {
    const std::string n = name;
    const bool untied = n.find("untied") != std::string::npos;
    const Bytes b = micro_gguf(n.find("q8_0") != std::string::npos ? q8 : small,
                               n.find("f32") != std::string::npos   ? kTypeF32
                               : n.find("f16") != std::string::npos ? kTypeF16
                                                                    : kTypeQ8_0,
                               n.find("no-tokenizer") == std::string::npos,
                               n.find("bytes") != std::string::npos, !untied);
    write(out / "gguf" / n, b);
    // A seed that does not load would only exercise the error paths.
    const airtp::Model m = airtp::load_gguf((out / "gguf" / n).string());
    if (m.config.tied_output == untied) throw std::runtime_error("seed classifier");
  }

  const Vocab v = make_vocab(false);
  const int nv = static_cast<int>(v.pieces.size());
  const Bytes tok = llama2c_tokenizer(v);
  for (auto [name, tied, v1] : {std::tuple{"micro-v0-tied", true, false},
                                {"micro-v0-untied", false, false}, {"micro-v1-tied", true, true}}) {
    const Bytes model = micro_llama2c(small, nv, tied, v1);
    write(out / "llama2c" / name, pack(model, tok));
    const fs::path tmp = fs::temp_directory_path() / "airtp-seed-check";
    fs::create_directories(tmp);
    write(tmp / "model.bin", model, true);
    write(tmp / "tokenizer.bin", tok, true);
    const airtp::Model m = airtp::load_llama2c((tmp / "model.bin").string());
    if (m.tokenizer.vocab_size() != nv || m.config.tied_output != tied) throw std::runtime_error("seed");
    fs::remove_all(tmp);
  }
  Bytes alone = pack(micro_llama2c(small, nv, true, false), {});
  std::memset(alone.data(), 0xff, 4);  // a size past the end: no tokenizer
  write(out / "llama2c/micro-v0-no-tokenizer", alone);

  if (argc == 3) {
    const fs::path data = argv[2];
    for (const char* f : {"tiny-q8_0.gguf", "tiny-f16.gguf"}) write(out / "gguf" / f, read(data / f));
    write(out / "llama2c/tiny", pack(read(data / "tiny.bin"), read(data / "tiny-tokenizer.bin")));
  }
  return 0;
}
