// The front door (issue 14): no data loss, bounded work, llama.cpp's flag spellings, one-line
// errors, nothing silently ignored. Every case runs the built binary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
  double seconds = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("airtp-front-door-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Runs `airtp args` with stdout and stderr captured apart (neither is a terminal). `stdout_to`
// replaces the stdout capture (e.g. /dev/full).
Result run(const std::string& args, const std::string& stdout_to = "") {
  static int n = 0;
  const fs::path dir = fs::temp_directory_path() / ("airtp-front-door-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / ("out" + std::to_string(n)), err = dir / ("err" + std::to_string(n));
  ++n;
  const std::string cmd = std::string("timeout 300 ") + AIRTP_BINARY + " " + args + " >" +
                          (stdout_to.empty() ? out.string() : stdout_to) + " 2>" + err.string();
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  Result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (stdout_to.empty()) r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// The scratch files of this process go when it ends.
struct RemoveScratch : ::testing::Environment {
  void TearDown() override {
    std::error_code ec;
    for (const char* stem : {"airtp-front-door-", "airtp-front-door-files-"})
      fs::remove_all(fs::temp_directory_path() / (stem + std::to_string(::getpid())), ec);
  }
};
const auto* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

const std::string kStories = std::string(AIRTP_TEST_DATA) + "/stories260K.bin";
const std::string kTiny = std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf";

// An error is one line, "airtp: error: ...", exit code 1.
void expect_one_line_error(const Result& r, const std::string& phrase, const std::string& what) {
  EXPECT_EQ(r.code, 1) << what << "\n" << r.err;
  EXPECT_EQ(r.err.rfind("airtp: error: ", 0), 0u) << what << "\n" << r.err;
  ASSERT_FALSE(r.err.empty()) << what;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << what << "\n" << r.err;
  EXPECT_NE(r.err.find(phrase), std::string::npos) << what << "\n" << r.err;
}

// ---------------------------------------------------------------------------------------------
// 1. Output files

TEST(Convert, RefusesToOverwriteItsInput) {
  const fs::path d = scratch("convert-same");
  const fs::path m = d / "m.gguf";
  fs::copy_file(kTiny, m);
  const std::string before = slurp(m);
  expect_one_line_error(run("convert " + m.string() + " " + m.string()), "is the input file", "same path");
  EXPECT_EQ(slurp(m), before) << "the input was modified";
}

TEST(Convert, RefusesItsInputThroughASymlinkOrHardLink) {
  const fs::path d = scratch("convert-link");
  const fs::path m = d / "m.gguf", sym = d / "sym.gguf", hard = d / "hard.gguf";
  fs::copy_file(kTiny, m);
  fs::create_symlink(m, sym);
  fs::create_hard_link(m, hard);
  const std::string before = slurp(m);
  expect_one_line_error(run("convert " + m.string() + " " + sym.string()), "is the input file", "symlink");
  expect_one_line_error(run("convert " + sym.string() + " " + hard.string()), "is the input file", "hard link");
  expect_one_line_error(run("convert " + (d / "." / "m.gguf").string() + " " + m.string()), "is the input file",
                        "another spelling");
  EXPECT_EQ(slurp(m), before);
}

TEST(Convert, WritesThroughATemporaryAndLeavesNoneBehind) {
  const fs::path d = scratch("convert-ok");
  const fs::path out = d / "out.gguf";
  std::ofstream(out) << "old content";
  const Result r = run("convert " + kStories + " " + out.string() + " --type f16");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slurp(out), "old content");
  EXPECT_EQ(slurp(out).rfind("GGUF", 0), 0u);
  for (const auto& e : fs::directory_iterator(d))
    EXPECT_EQ(e.path().filename(), "out.gguf") << "stray file " << e.path();
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IROTH, 0u) << "the temporary's private mode leaked into the output";
}

TEST(Convert, OutputThatIsADirectoryIsNamed) {
  const fs::path d = scratch("convert-dir");
  expect_one_line_error(run("convert " + kTiny + " " + d.string()), "is a directory", "output is a directory");
}

TEST(Assign, OutFileIsReplacedWhole) {
  const fs::path d = scratch("assign-out");
  const fs::path out = d / "shares.json";
  std::ofstream(out) << "stale";
  const Result r = run("assign --method uniform --no-compare --samples 2 -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::accept(slurp(out))) << slurp(out);
  for (const auto& e : fs::directory_iterator(d)) EXPECT_EQ(e.path().filename(), "shares.json") << e.path();
}

// ---------------------------------------------------------------------------------------------
// 2. perplexity reads what --chunks needs

TEST(Perplexity, ChunksBoundTheTextRead) {
  const fs::path d = scratch("ppl-big");
  const fs::path text = d / "big.txt";
  {
    std::ofstream f(text);
    const std::string line = "In the beginning God created the heaven and the earth, and the light was good.\n";
    for (size_t written = 0; written < (size_t{24} << 20); written += line.size()) f << line;
  }
  const Result r = run("perplexity -m " + kTiny + " -f " + text.string() + " -c 32 --chunks 1 -D 1");
  ASSERT_EQ(r.code, 0) << r.err;
  // "perplexity: N tokens from the first B bytes of ..."
  const size_t at = r.err.find("from the first ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const long long bytes = std::stoll(r.err.substr(at + 15));
  EXPECT_LT(bytes, 1 << 20) << "read far more than one chunk of 32 tokens needs";
  EXPECT_LT(r.seconds, 20.0) << "tokenized the whole 24 MB file?";
  EXPECT_NE(r.out.find("1 chunks"), std::string::npos) << r.out;
}

TEST(Perplexity, BadChunkFlagsNameThemselves) {
  const std::string f = std::string(AIRTP_SOURCE_DIR) + "/README.md";
  expect_one_line_error(run("perplexity -m " + kTiny + " -f " + f + " --chunks 0"), "--chunks 0 is outside 1..", "0");
  expect_one_line_error(run("perplexity -m " + kTiny + " -f " + f + " --chunks -1"), "--chunks -1 is outside 1..", "-1");
  expect_one_line_error(run("perplexity -m " + kTiny + " -f " + f + " --chunk 1"), "--chunk 1 is outside 8..", "chunk");
  expect_one_line_error(run("perplexity -m " + kTiny + " -f " + std::string(AIRTP_SOURCE_DIR)), "is a directory", "dir");
}

// ---------------------------------------------------------------------------------------------
// 3. Bounds and progress

TEST(Bounds, AntennasAndDevicesHaveTheSameCapEverywhere) {
  const auto t0 = std::chrono::steady_clock::now();
  expect_one_line_error(run("generate -m " + kStories + " -D 2 -a aircomp --rx-antennas 400"),
                        "--rx-antennas 400 is outside 1..64", "generate M");
  expect_one_line_error(run("optimize --rx-antennas 65"), "--rx-antennas 65 is outside 1..64", "optimize M");
  expect_one_line_error(run("optimize --tx-antennas 17"), "--tx-antennas 17 is outside 1..16", "optimize K");
  expect_one_line_error(run("optimize -D 100"), "--devices 100 is outside 1..64", "optimize N");
  expect_one_line_error(run("optimize --tx-antennas 16 --streams 16"), "--streams 16 is outside 1..min(", "optimize L");
  expect_one_line_error(run("optimize -D 64 --tx-antennas 8 --streams 8"), "--streams 8 x 64 devices is more than 256",
                        "optimize N x L");
  expect_one_line_error(run("generate -m " + kStories + " -D 65"), "--devices 65 is outside 1..64", "generate N");
  const fs::path d = scratch("bounds");
  const fs::path sc = d / "big.json";
  std::ofstream(sc) << R"({"name": "big", "model": "llama2-7b", "devices": [{"flops_per_s": 1e12,
    "mem_bandwidth_bytes_per_s": 1e11, "memory_bytes": 1e10, "energy_per_param_j": 1e-9,
    "energy_budget_j": "auto", "distance_m": 10}], "wireless": {"n_rx_antennas": 400}})";
  expect_one_line_error(run("optimize --scenario " + sc.string()), "n_rx_antennas", "scenario M");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 60.0);
}

TEST(Progress, NoCarriageReturnsWhenStderrIsNotATerminal) {
  const Result r = run("optimize -D 2 --realizations 3 --randomizations 5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------------
// 4. llama.cpp's flag spellings

std::vector<int> tokens_of(const Result& r) {
  const auto j = nlohmann::json::parse(r.out);
  return j.at("tokens").get<std::vector<int>>();
}

TEST(LlamaFlags, NPredictIsTokensToPredict) {
  for (const char* flag : {"-n 3", "--n-predict 3", "--steps 3"}) {
    const Result r = run("generate -m " + kStories + " --json " + flag);
    ASSERT_EQ(r.code, 0) << flag << "\n" << r.err;
    EXPECT_EQ(tokens_of(r).size(), 3u) << flag;
  }
}

TEST(LlamaFlags, SeedRepeatsAndMinusOneIsRandomAndPrinted) {
  const std::string base = "generate -m " + kStories + " --json -n 24 --temp 1.5 ";
  const Result a = run(base + "-s 7"), b = run(base + "--seed 7"), c = run(base + "-s 8");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(tokens_of(a), tokens_of(b));
  EXPECT_NE(tokens_of(a), tokens_of(c));
  const Result r1 = run(base + "-s -1"), r2 = run(base + "-s -1");
  ASSERT_EQ(r1.code, 0) << r1.err;
  const auto s1 = nlohmann::json::parse(r1.out).at("seed").get<uint64_t>();
  const auto s2 = nlohmann::json::parse(r2.out).at("seed").get<uint64_t>();
  EXPECT_NE(s1, s2) << "-1 gave the same seed twice";
  const Result again = run(base + "-s " + std::to_string(s1));
  EXPECT_EQ(tokens_of(again), tokens_of(r1)) << "the printed seed does not repeat the run";
  const Result text = run("generate -m " + kStories + " -n 2 -s -1");
  EXPECT_NE(text.err.find("seed: "), std::string::npos) << text.err;
  expect_one_line_error(run(base + "-s -2"), "--seed -2 is outside -1..", "seed -2");
}

TEST(LlamaFlags, TempTopKTopPAndCtxSize) {
  const std::string base = "generate -m " + kStories + " --json -n 16 ";
  const Result greedy = run(base + "--temp 0"), alias = run(base + "--temperature 0");
  ASSERT_EQ(greedy.code, 0) << greedy.err;
  EXPECT_EQ(tokens_of(greedy), tokens_of(alias));
  // top-k 1 keeps only the most likely token: greedy whatever the temperature and seed.
  const Result k1 = run(base + "--temp 2 --top-k 1 -s 3");
  ASSERT_EQ(k1.code, 0) << k1.err;
  EXPECT_EQ(tokens_of(k1), tokens_of(greedy));
  const Result hot = run(base + "--temp 2 -s 3");
  EXPECT_NE(tokens_of(hot), tokens_of(greedy)) << "the test above would pass without --top-k";
  EXPECT_EQ(run(base + "-c 64").code, 0);
  EXPECT_EQ(run(base + "--ctx-size 64").code, 0);
  expect_one_line_error(run(base + "--top-k -1"), "--top-k -1 is outside 0..", "top-k");
}

TEST(LlamaFlags, DevicesIsSpelledOut) {
  const Result r = run("generate -m " + kStories + " --json -n 2 --devices 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("devices"), 2);
  const Result s = run("generate -m " + kStories + " --json -n 2 -D 4");
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out).at("devices"), 4);
  expect_one_line_error(run("generate -m " + kStories + " -ngl 99"), "-ngl", "ngl");
}

TEST(LlamaFlags, BenchTakesLlamaBenchFlags) {
  const Result r = run("bench -m " + kStories + " --json --no-bandwidth -p 8 -n 4 -r 1 -t 1");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("prompt_tokens"), 8);
  EXPECT_EQ(j.at("gen_tokens"), 4);
  EXPECT_EQ(j.at("repetitions"), 1);
  EXPECT_EQ(j.at("threads"), 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Errors are one line naming the option; nothing is silently ignored

struct Case {
  std::string args, phrase;
};
class OneLineError : public ::testing::TestWithParam<Case> {};

TEST_P(OneLineError, NamesTheOption) { expect_one_line_error(run(GetParam().args), GetParam().phrase, GetParam().args); }

std::string write_temp(const std::string& name, const std::string& content) {
  const fs::path p = fs::temp_directory_path() / ("airtp-front-door-files-" + std::to_string(::getpid())) / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << content;
  return p.string();
}

INSTANTIATE_TEST_SUITE_P(
    Cli, OneLineError,
    ::testing::Values(
        Case{"generate --threads abc", "--threads 'abc' is not a number (allowed: 0..256)"},
        Case{"generate -m " + kStories + " --rx-antennas x", "--rx-antennas 'x' is not a number (allowed: 1..64)"},
        Case{"generate --no-such-flag", "--no-such-flag"},
        Case{"generate --threads", "--threads"},
        Case{"frobnicate", "'frobnicate' is not a command"},
        Case{"", "name a command"},
        Case{"perplexity -m " + kTiny, "--file is required"},
        Case{"generate -m " + kStories + " -D 2 --shares ''", "--shares is empty"},
        Case{"generate -m " + kStories + " -D 2 --shares 0.5,0.5,", "--shares '' is not a number"},
        Case{"generate -m " + kStories + " -D 2 --shares-from " +
                 write_temp("neg.json", R"({"shares": [1.2, -0.2]})"),
             "--shares-from"},
        Case{"generate -m " + kStories + " -D 3 --shares-from " + write_temp("two.json", R"({"shares": [0.5, 0.5]})"),
             "--shares-from"},
        Case{"generate -m " + kStories + " -D 2 --shares-from " +
                 write_temp("trail.json", R"({"shares": [0.5, 0.5]} trailing)"),
             "--shares-from"},
        Case{"generate -m " + kStories + " -p hello", "--prompt needs a tokenizer"},
        Case{"generate -m " + kTiny + " -p hello --token-ids 1,2", "--token-ids and --prompt are both given"},
        Case{"generate -m " + kTiny + " --token-ids ''", "--token-ids is empty"},
        Case{"generate -m " + kTiny + " --tokenizer " + std::string(AIRTP_TEST_DATA) + "/tiny-tokenizer.bin",
             "--tokenizer"},
        Case{"generate -m " + kStories + " --mpi-timeout nan", "--mpi-timeout nan is outside (0, 86400]"},
        Case{"generate -m " + kStories + " --mpi-timeout -1", "--mpi-timeout -1 is outside (0, 86400]"},
        Case{"optimize --scenario paper-heterogeneous -D 3", "--devices would be ignored"},
        Case{"optimize --scenario paper-heterogeneous --rx-antennas 8", "--rx-antennas would be ignored"},
        Case{"assign --model-shape llama2-7b -m " + kTiny, "--model-shape"},
        Case{"optimize -r 3", "-r"}));

TEST(Output, UnwritableStdoutIsAFailure) {
  const Result g = run("generate -m " + kStories + " -n 4", "/dev/full");
  EXPECT_NE(g.code, 0) << g.err;
  EXPECT_NE(g.err.find("cannot write to standard output"), std::string::npos) << g.err;
  const Result o = run("optimize -D 2 --realizations 2 --randomizations 5", "/dev/full");
  EXPECT_NE(o.code, 0) << o.err;
  EXPECT_NE(o.err.find("cannot write to standard output"), std::string::npos) << o.err;
}

// ---------------------------------------------------------------------------------------------
// 7, 8. Saying what happened

TEST(AirComp, NoUsableSignalIsAWarningNotSilence) {
  // The paper's design drops every device at -100 dBm; ours keeps them under equal power, and
  // the server then receives noise. Either way the run must say so.
  for (const std::string design : {"sdr_paper", "sdr"}) {
    const std::string args = "generate -m " + kStories + " -D 2 -a aircomp --design " + design +
                             " --tx-power-dbm -100 -n 3 --coherence 1";
    const Result r = run(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("airtp: warning: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("are noise; raise --tx-power-dbm"), std::string::npos) << r.err;
    if (design == "sdr_paper") {
      EXPECT_NE(r.err.find("every device was dropped"), std::string::npos) << r.err;
    }
    const Result j = run(args + " --json");
    ASSERT_EQ(j.code, 0) << j.err;
    const auto w = nlohmann::json::parse(j.out).at("warnings");
    ASSERT_EQ(w.size(), 1u) << w;
    EXPECT_NE(w[0].get<std::string>().find("are noise"), std::string::npos);
  }
  // At a usable power there is no such warning.
  const Result ok = run("generate -m " + kStories + " -D 2 -a aircomp -n 3 --json");
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_TRUE(nlohmann::json::parse(ok.out).at("warnings").empty());
}

TEST(Optimize, RelaxationColumnIsNotCalledABound) {
  const Result r = run("optimize -D 2 --realizations 2 --randomizations 5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("SDR bound"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SDR value = mean value of the SDR relaxation"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("designs can land below it"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 devices"), std::string::npos) << r.out;
  const Result one = run("optimize -D 1 --realizations 1 --randomizations 5");
  EXPECT_NE(one.out.find("1 device,"), std::string::npos) << one.out;
}

TEST(Generate, TextEndsWithANewline) {
  const Result r = run("generate -m " + kTiny + " -n 5 -p hello");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n') << r.out;
}

TEST(Generate, ZeroShareDeviceHoldsNoHeads) {
  const Result r = run("generate -m " + kStories + " -D 2 --shares 1,0 -n 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("device 1: share 0.000 (asked 0.000)  heads none  kv heads none  mlp units none (computes nothing; "
                       "still sends a zero partial to each all-reduce)"),
            std::string::npos)
      << r.err;
  // Only that device is said to be idle, not the one that holds everything.
  EXPECT_EQ(r.err.find("computes nothing"), r.err.rfind("computes nothing")) << r.err;
}

}  // namespace
