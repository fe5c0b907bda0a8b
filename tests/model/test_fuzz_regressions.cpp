// Inputs found by the fuzzers (fuzz/, docs/reliability.md), replayed in the ordinary test suite
// (and under ASan/UBSan in CI). Every file of tests/data/fuzz-regressions/ is named for the
// parser it attacks:
//   gguf-*       load_model must throw ModelError
//   llama2c-*    fuzz_llama2c's layout (u32 n, n bytes of checkpoint, tokenizer.bin):
//                load_llama2c must throw ModelError
//   scenario-*   load_scenario_file must throw InputError
//   shares-text-*  parse_shares of the bytes, shares-json-*  read_shares_file:
//                std::invalid_argument
//   tokenizer-*  the tiny model's tokenizer encodes the bytes and decodes them back exactly
//   forward-*    a GGUF model that loads; two tokens through the engine on 2 devices (1 if it
//                has one KV head), as fuzz_gguf runs them, end in the engine's runtime_error
// and every message must be one line of printable text starting with the file (or option) it is
// about. Some files also have the exact problem their message must state (kExpected).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "model/model.h"
#include "util/input_error.h"
#include "perfmodel/scenario.h"
#include "tp/engine.h"
#include "tp/plan.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(AIRTP_TEST_DATA) / "fuzz-regressions";

// What the message of some files must say: the problem itself, and names from the file shown
// escaped, not raw.
const std::map<std::string, std::vector<std::string>> kExpected = {
    // A NUL inside a tensor name used to end what() there: the message lost its problem.
    {"gguf-nul-in-tensor-name.gguf", {"tensor 'blk.0.attn\\x00blk.0.ak.0.'", "dimensions (1 to 4 supported)"}},
    {"gguf-nul-in-key.gguf", {"metadata 'll\\x00\\x00", "has unknown value type 16"}},
    // Control characters from the file used to reach the terminal.
    {"gguf-control-char-in-key.gguf", {"metadata 'llama.block_co\\x04ut'", "unknown value type 110"}},
    // (It has no tensors, so it is now refused first as a vocabulary-only file; the escaped
    // architecture is checked in GgufCorrupt.LlamaSemantics.)
    {"gguf-control-char-in-architecture.gguf", {"has no tensors: a vocabulary-only file"}},
    // A 237-byte binary name used to be copied into the message whole.
    {"gguf-long-binary-tensor-name.gguf", {"...(237 bytes)'", "dimensions (1 to 4 supported)"}},
    // Huge finite weights overflow every attention score to -inf: the softmax kernel used to
    // throw std::invalid_argument ("softmax: all 1 values are -inf") that named no cause.
    {"forward-attention-scores-all-neg-inf.gguf", {"layer 0", "non-finite attention scores (all -inf)"}},
    // Scores {-inf, NaN}: softmax's max skipped the NaN and it threw "all 2 values are -inf";
    // the NaN now reaches the logits and is reported there.
    {"forward-attention-scores-neg-inf-and-nan.gguf", {"non-finite logit"}},
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& p, std::string_view b) {
  std::ofstream out(p, std::ios::binary);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

// One line of printable UTF-8 of reasonable length that starts with `prefix`.
void check_message(const std::string& m, const std::string& prefix) {
  EXPECT_EQ(m.rfind(prefix, 0), 0u) << m;
  EXPECT_LE(m.size(), 1024u) << m;
  for (const char ch : m) {
    const auto c = static_cast<unsigned char>(ch);
    EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control character " << static_cast<int>(c) << " in: " << m;
  }
}

const Tokenizer& tiny_tokenizer() {
  static const Model m = load_gguf(std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf");
  return m.tokenizer;
}

// Runs the file through its parser; returns the message of the expected error type, or "" (a
// test failure is recorded) when there was none or another type escaped.
template <class Error, class Fn>
std::string expect_error(const std::string& name, Fn fn) {
  try {
    fn();
    ADD_FAILURE() << name << ": accepted";
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << name << ": wrong exception type: " << e.what();
  }
  return "";
}

class FuzzRegression : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzRegression, GivesItsParsersCleanError) {
  const std::string name = GetParam();
  const fs::path path = kDir / name;
  const std::string bytes = read_bytes(path);
  std::string message;
  if (name.starts_with("gguf-")) {
    message = expect_error<ModelError>(name, [&] { load_model(path.string()); });
    check_message(message, path.string() + ": ");
  } else if (name.starts_with("llama2c-")) {
    ASSERT_GE(bytes.size(), 4u);
    uint32_t n = 0;
    std::memcpy(&n, bytes.data(), 4);
    const std::string rest = bytes.substr(4);
    const bool has_tok = n <= rest.size();
    const fs::path dir = fs::temp_directory_path() / ("airtp-fuzz-regression-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_bytes(dir / "model.bin", rest.substr(0, has_tok ? n : rest.size()));
    write_bytes(dir / "tok.bin", has_tok ? rest.substr(n) : "");
    message = expect_error<ModelError>(name, [&] {
      load_llama2c((dir / "model.bin").string(), has_tok ? (dir / "tok.bin").string() : "");
    });
    fs::remove_all(dir);
    EXPECT_NE(message.find(dir.string()), std::string::npos) << message;
    check_message(message, dir.string());
  } else if (name.starts_with("scenario-")) {
    message = expect_error<InputError>(name, [&] { load_scenario_file(path.string()); });
    check_message(message, path.string() + ": ");
  } else if (name.starts_with("shares-text-")) {
    message = expect_error<std::invalid_argument>(name, [&] { parse_shares(bytes); });
    check_message(message, "shares ");
  } else if (name.starts_with("shares-json-")) {
    message = expect_error<std::invalid_argument>(name, [&] { read_shares_file(path.string()); });
    check_message(message, "shares_from ");
  } else if (name.starts_with("forward-")) {
    RunConfig c;
    c.model_path = path.string();
    c.threads = 1;
    c.ctx = 4;
    Session probe(c);
    c.devices = probe.model().config.n_kv_heads >= 2 ? 2 : 1;
    Session s(probe.shared_model(), c);
    const int tokens[2] = {0, s.model().config.vocab_size - 1};
    message = expect_error<std::runtime_error>(name, [&] { s.engine().forward(tokens, 0); });
    check_message(message, "");
  } else if (name.starts_with("tokenizer-")) {
    const Tokenizer& t = tiny_tokenizer();
    EXPECT_EQ(t.decode(t.encode(bytes, true)), bytes);
  } else {
    FAIL() << name << ": unknown prefix (see the comment at the top of this file)";
  }
  if (const auto it = kExpected.find(name); it != kExpected.end()) {
    for (const std::string& fragment : it->second)
      EXPECT_NE(message.find(fragment), std::string::npos) << "missing \"" << fragment << "\" in: " << message;
  }
}

std::vector<std::string> regression_files() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Inputs, FuzzRegression, ::testing::ValuesIn(regression_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string id;
                           for (const char c : info.param) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return id;
                         });

// Every file with an expectation exists (a rename would otherwise silently drop the check).
TEST(FuzzRegressionFiles, ExpectedFilesArePresent) {
  for (const auto& [name, fragments] : kExpected) EXPECT_TRUE(fs::exists(kDir / name)) << name;
}

}  // namespace
}  // namespace airtp
