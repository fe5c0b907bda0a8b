// read_tokens: the first `want` tokens of a text equal those of tokenizing the whole text, and
// only about as much text as they need is read.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "model/model.h"
#include "runtime/text_tokens.h"

namespace airtp {
namespace {

std::string corpus() {
  std::string s;
  const char* words[] = {"the", "beginning", "God", "created", "heaven", "and", "earth", "light", "was", "good,",
                         "darkness", "upon", "face", "deep.", "Spirit", "moved", "waters"};
  unsigned x = 12345;
  for (int line = 0; line < 4000; ++line) {
    for (int w = 0; w < 12; ++w) {
      x = x * 1103515245u + 12345u;
      s += words[(x >> 16) % 17];
      s += ' ';
    }
    s += '\n';
  }
  return s;
}

TEST(TextTokens, PrefixEqualsTheWholeTextsTokens) {
  const Model m = load_model(std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf");
  const std::string text = corpus();
  const auto all = m.tokenizer.encode(text, false);
  ASSERT_GT(all.size(), 20000u);
  for (size_t want : {size_t{1}, size_t{100}, size_t{5000}, all.size() - 10}) {
    std::istringstream in(text);
    const TextTokens t = read_tokens(m.tokenizer, in, want);
    ASSERT_EQ(t.tokens.size(), want);
    EXPECT_TRUE(std::equal(t.tokens.begin(), t.tokens.end(), all.begin())) << want;
    if (want <= 100) {
      EXPECT_LT(t.bytes_read, text.size() / 2) << "read far more than needed";
    }
  }
  std::istringstream whole(text);
  const TextTokens t = read_tokens(m.tokenizer, whole, 0);
  EXPECT_TRUE(t.whole_text);
  EXPECT_EQ(t.tokens, all);
  std::istringstream more(text);
  const TextTokens u = read_tokens(m.tokenizer, more, all.size() + 1000);
  EXPECT_TRUE(u.whole_text);
  EXPECT_EQ(u.tokens, all) << "asking for more than the text has gives all of it";
}

}  // namespace
}  // namespace airtp
