// generate stops at the end-of-text token as llama.cpp does, and --ignore-eos does not. The model
// is the bundled one with its EOS id moved to a token greedy decoding is known to produce, so the
// stop point is known in advance.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "model/gguf_writer.h"
#include "model/model.h"

namespace {

namespace fs = std::filesystem;
using namespace airtp;

nlohmann::json generate_json(const std::string& args) {
  const fs::path out = fs::temp_directory_path() / ("airtp-eos-" + std::to_string(::getpid()) + ".json");
  const std::string cmd = std::string("timeout 300 ") + AIRTP_BINARY + " generate " + args + " --json >" + out.string() + " 2>/dev/null";
  const int status = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in);
  fs::remove(out);
  return j;
}

TEST(GenerateEos, StopsAtTheEndOfTextTokenUnlessIgnored) {
  const std::string model = std::string(AIRTP_SOURCE_DIR) + "/models/airtp-kjv-q8_0.gguf";
  const std::string common = " -p \"In the beginning\" -n 12 --temp 0 -t 1";
  const auto plain = generate_json("-m " + model + common)["tokens"].get<std::vector<int>>();
  ASSERT_EQ(plain.size(), 12u);
  // The first token not seen before it: the stop must come exactly there.
  size_t k = 1;
  while (k < plain.size() && std::find(plain.begin(), plain.begin() + static_cast<long>(k), plain[k]) != plain.begin() + static_cast<long>(k)) ++k;
  ASSERT_LT(k, plain.size()) << "greedy output repeats from its first token";

  Model m = load_model(model);
  const Tokenizer& t = m.tokenizer;
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::vector<Tokenizer::PieceType> types;
  for (int i = 0; i < t.vocab_size(); ++i) {
    pieces.push_back(t.piece(i));
    scores.push_back(t.score(i));
    types.push_back(t.type(i));
  }
  m.tokenizer = Tokenizer(pieces, scores, types, t.bos(), plain[k], t.unk(), t.add_space_prefix());
  const std::string moved = (fs::temp_directory_path() / ("airtp-eos-model-" + std::to_string(::getpid()) + ".gguf")).string();
  save_gguf(m, moved, DType::Q8_0);

  const auto stopped = generate_json("-m " + moved + common);
  EXPECT_EQ(stopped["stop"], "eos");
  EXPECT_EQ(stopped["tokens"].get<std::vector<int>>(), std::vector<int>(plain.begin(), plain.begin() + static_cast<long>(k)));
  EXPECT_EQ(stopped["decode"]["tokens"], static_cast<int>(k));  // one forward pass per printed token

  const auto ignored = generate_json("-m " + moved + common + " --ignore-eos");
  EXPECT_EQ(ignored["stop"], "n_predict");
  EXPECT_EQ(ignored["tokens"].get<std::vector<int>>(), plain);
  fs::remove(moved);
}

}  // namespace
