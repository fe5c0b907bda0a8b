// Tokenizing only as much of a text file as a run consumes: perplexity over the first chunks of a
// large corpus must not tokenize (and hold) the whole corpus.
#pragma once
#include <cstddef>
#include <istream>
#include <vector>

#include "model/tokenizer.h"

namespace airtp {

struct TextTokens {
  std::vector<int> tokens;
  size_t bytes_read = 0;      // of the stream
  bool whole_text = false;    // true when the stream was read to its end
};

// The first `want` tokens of the stream's text as `tok.encode(text, false)` gives them for the
// whole text (want = 0: all of it). Growing prefixes of the text, cut after a newline, are
// encoded until one yields `want` tokens with a margin; the margin keeps the kept tokens clear of
// the cut, where a BPE merge could differ from the whole text's. Work and memory are
// proportional to the text needed, not to the file.
TextTokens read_tokens(const Tokenizer& tok, std::istream& in, size_t want);

}  // namespace airtp
