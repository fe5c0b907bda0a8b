// Bad input to the command line gets one clear line naming the parameter and a non-zero exit,
// never a crash or a hang.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Result {
  int code = -1;
  std::string output;
};

Result run(const std::string& args) {
  const std::string cmd = std::string("timeout 120 ") + AIRTP_BINARY + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

const std::string kStories = std::string(AIRTP_TEST_DATA) + "/stories260K.bin";
const std::string kTiny = std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf";

struct Case {
  std::string args;
  std::string phrase;  // must appear in the output
};

class CliError : public ::testing::TestWithParam<Case> {};

TEST_P(CliError, FailsCleanlyNamingTheProblem) {
  const auto& c = GetParam();
  const Result r = run(c.args);
  EXPECT_NE(r.code, 0) << c.args << "\n" << r.output;
  EXPECT_LT(r.code, 128) << "crashed: " << c.args << "\n" << r.output;  // not killed by a signal
  EXPECT_NE(r.output.find(c.phrase), std::string::npos) << c.args << "\n" << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Generate, CliError,
    ::testing::Values(
        Case{"generate -m " + kStories + " --threads -1", "--threads"},
        Case{"generate -m " + kStories + " -D 5", "KV heads"},
        Case{"generate -m " + kStories + " -D 0", "--devices"},
        Case{"generate -m " + kStories + " -D 2 --shares 0.5,0.2", "sum to 1"},
        Case{"generate -m " + kStories + " -D 2 --shares 0.5,x", "not a number"},
        Case{"generate -m " + kStories + " -D 3 --shares 0.5,0.5", "--shares has 2 entries for 3 devices"},
        Case{"generate -m " + kStories + " --ctx 100000", "--ctx-size"},
        Case{"generate -m " + kStories + " --steps 0", "--n-predict 0 is outside 1.."},
        Case{"generate -m " + kStories + " --temperature -1", "--temp -1 is outside 0..100"},
        Case{"generate -m " + kStories + " --top-p 1.5", "--top-p"},
        Case{"generate -m " + kStories + " -a magic", "--allreduce"},
        Case{"generate -m " + kStories + " -D 2 -a digital --bits 1", "--bits"},
        Case{"generate -m " + kStories + " -D 2 -a digital --topology torus", "--topology"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --rx-antennas 0", "antennas"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --streams 8", "stream"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --snr-db 500", "--snr-db"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --design best", "sdr"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --coherence -1", "--coherence"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --bandwidth-mhz 0", "bandwidth"},
        Case{"generate -m " + kStories + " -D 2 -a aircomp --bits 4", "--bits is not an option of the aircomp all-reduce"},
        Case{"generate -m " + kStories + " -D 2 -a digital --bits four", "--bits 'four' is not an integer"},
        Case{"generate -m " + kStories + " -D 2 -a fdma --combiner best", "--combiner best is invalid"},
        Case{"generate -m " + kStories + " -D 2 --shares 0.5,0.5 --shares-from x.json", "--shares and --shares-from"},
        Case{"generate -m " + kStories + " -D 2 --mpi-timeout 0", "--mpi-timeout"},
        Case{"perplexity -m " + kTiny + " -f " + kStories + " --chunk 4", "--chunk 4 is outside 8.."},
        Case{"generate -m /nonexistent/model.gguf", "/nonexistent/model.gguf"},
        Case{"generate -m " + kTiny + " -n 4 --token-ids 1,99999", "outside the vocabulary"},
        Case{"generate --no-such-flag", "no-such-flag"},
        Case{"perplexity -m " + kTiny + " -f /nonexistent.txt", "/nonexistent.txt"},
        Case{"optimize -D 2 --realizations 0", "--realizations"},
        Case{"optimize -D 2 --tx-antennas 0", "antennas"},
        Case{"bench -m " + kStories + " -r 0", "--repetitions"}));

TEST(CliErrors, TruncatedModelFileIsNamed) {
  const auto dir = std::filesystem::temp_directory_path() / "airtp-cli-test";
  std::filesystem::create_directories(dir);
  const auto bad = dir / "truncated.gguf";
  {
    std::ifstream in(kTiny, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(bad, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  const Result r = run("generate -m " + bad.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(bad.string()), std::string::npos) << r.output;
}

TEST(CliHelp, EverySubcommandHasHelp) {
  for (const char* sub : {"generate", "perplexity", "bench", "optimize"}) {
    const Result r = run(std::string(sub) + " --help");
    EXPECT_EQ(r.code, 0) << sub;
    EXPECT_NE(r.output.find("--"), std::string::npos) << sub;
  }
}

}  // namespace
