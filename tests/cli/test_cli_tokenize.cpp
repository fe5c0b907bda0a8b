// airtp tokenize, run as a user would, on the tiny model (always here) and the vocabulary-only
// GGUF files of ../shared/tokenizers (skipped without them); and generate/perplexity refusing a
// vocabulary-only file with one line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct Result {
  int code = -1;
  std::string out, err;
};

// stdout and stderr apart: the listing must not mix with messages.
Result run(const std::string& args) {
  const std::string err_path = ::testing::TempDir() + "airtp_tokenize_stderr_" + std::to_string(::getpid());
  const std::string cmd = std::string("timeout 120 ") + AIRTP_BINARY + " " + args + " 2>" + err_path;
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), p)) r.out += buf.data();
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(err_path);
  return r;
}

const std::string kTiny = std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf";
const std::string kShared = std::string(AIRTP_SHARED_DIR) + "/tokenizers";
const std::string kGpt2 = kShared + "/ggml-vocab-gpt-2.gguf";
const std::string kSpm = kShared + "/ggml-vocab-llama-spm.gguf";

#define REQUIRE_SHARED(path) \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << (path) << " (reference data in ../shared/tokenizers)"

TEST(CliTokenize, ListsIdsAndPiecesOfTheTinyModel) {
  const Result r = run("tokenize -m " + kTiny + " -p 'In the beginning'");
  ASSERT_EQ(r.code, 0) << r.err;
  // SentencePiece adds BOS; the first line is it, by name.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "     1 -> '<s>'");
  const Result ids = run("tokenize -m " + kTiny + " -p 'In the beginning' --ids");
  ASSERT_EQ(ids.code, 0) << ids.err;
  const auto list = nlohmann::json::parse(ids.out).get<std::vector<int>>();
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[0], 1);
  const Result no_bos = run("tokenize -m " + kTiny + " -p 'In the beginning' --ids --no-bos");
  EXPECT_EQ(nlohmann::json::parse(no_bos.out).get<std::vector<int>>(), std::vector<int>(list.begin() + 1, list.end()));
  // One line per token.
  EXPECT_EQ(static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n')), list.size());
}

TEST(CliTokenize, Gpt2VocabularyOnlyFile) {
  REQUIRE_SHARED(kGpt2);
  const Result r = run("tokenize -m " + kGpt2 + " -p 'Hello world'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, " 15496 -> 'Hello'\n   995 -> ' world'\n");  // no BOS for GPT-2
  const Result j = run("tokenize -m " + kGpt2 + " -p 'Hello world<|endoftext|>' --json");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["ids"], nlohmann::json({15496, 995, 50256}));  // specials parsed, as llama-tokenize
  EXPECT_EQ(doc["pieces"][2], "<|endoftext|>");
  EXPECT_EQ(doc["tokenizer"], "byte-level BPE");
  EXPECT_EQ(doc["pretokenizer"], "gpt-2");
  const Result plain = run("tokenize -m " + kGpt2 + " -p '<|endoftext|>' --ids --no-parse-special");
  EXPECT_NE(plain.out, "[50256]\n");
  EXPECT_GT(std::count(plain.out.begin(), plain.out.end(), ','), 1) << plain.out;
}

TEST(CliTokenize, ReadsTheTextFromAFile) {
  REQUIRE_SHARED(kSpm);
  const std::string path = ::testing::TempDir() + "airtp_tokenize_text_" + std::to_string(::getpid());
  { std::ofstream(path) << "Hello world"; }
  const Result r = run("tokenize -m " + kSpm + " -f " + path + " --ids");
  std::filesystem::remove(path);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "[1, 15043, 3186]\n");  // BOS, ▁Hello, ▁world
}

struct Bad {
  std::string args, phrase;
};

TEST(CliTokenize, BadInputIsOneLine) {
  const std::string missing = ::testing::TempDir() + "no-such-model.gguf";
  for (const Bad& b : {Bad{"tokenize -m " + kTiny, "--prompt"},
                       Bad{"tokenize -m " + kTiny + " -p a -f b", "--prompt"},
                       Bad{"tokenize -m " + kTiny + " -f /nonexistent/text.txt", "/nonexistent/text.txt"},
                       Bad{"tokenize -m " + missing + " -p a", missing}}) {
    const Result r = run(b.args);
    EXPECT_EQ(r.code, 1) << b.args;
    EXPECT_TRUE(r.out.empty()) << b.args;
    EXPECT_NE(r.err.find(b.phrase), std::string::npos) << b.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(CliTokenize, GenerationRefusesVocabularyOnlyFiles) {
  REQUIRE_SHARED(kGpt2);
  for (const std::string& file : {kGpt2, kSpm})
    for (const char* cmd : {"generate -n 4 -m ", "perplexity -f " AIRTP_SOURCE_DIR "/models/kjv-heldout.txt -m "}) {
      const Result r = run(std::string(cmd) + file);
      EXPECT_EQ(r.code, 1) << cmd << file << "\n" << r.err;
      EXPECT_NE(r.err.find(file + ": has no tensors: a vocabulary-only file"), std::string::npos) << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

}  // namespace
