// Tokenizer: arbitrary bytes encoded with the vocabulary of tests/data/tiny-q8_0.gguf (the
// SentencePiece BPE merge loop, byte fallback, malformed UTF-8) and arbitrary token ids decoded.
// Oracles: ids inside the vocabulary; decode(encode(text)) == text for every text that does not
// itself contain U+2581 (SentencePiece's space mark, which decodes to ' ' by design); decoding an
// id outside the vocabulary throws std::out_of_range.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "model/model.h"

namespace {
const airtp::Model& tiny() {
  static const airtp::Model m = airtp::load_gguf(AIRTP_TEST_DATA "/tiny-q8_0.gguf");
  return m;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airtp;
  const Tokenizer& t = tiny().tokenizer;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  for (bool bos : {false, true}) {
    const std::vector<int> ids = t.encode(text, bos);
    for (int id : ids)
      if (id < 0 || id >= t.vocab_size()) fuzz::invariant_failed("encode gave an id outside the vocabulary");
    if (text.find("\xe2\x96\x81") == std::string_view::npos) {
      const std::string back = t.decode(ids);
      if (back != text) fuzz::invariant_failed("decode(encode(text)) != text");
    }
  }

  // The same bytes read as token ids (2 bytes each, some outside the vocabulary).
  std::vector<int> ids;
  for (size_t i = 0; i + 1 < size; i += 2) {
    uint16_t v = 0;
    std::memcpy(&v, data + i, 2);
    ids.push_back(static_cast<int>(v) - 8);
  }
  int prev = t.bos();
  for (int id : ids) {
    const bool valid = id >= 0 && id < t.vocab_size();
    try {
      (void)t.decode(prev, id);
      if (!valid) fuzz::invariant_failed("decode accepted an id outside the vocabulary");
    } catch (const std::out_of_range&) {
      if (valid) fuzz::invariant_failed("decode refused a valid id");
    }
    prev = id;
  }
  return 0;
}
