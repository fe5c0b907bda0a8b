// Numerical safety: bad numbers in, a clear error out (never NaN results, crashes or hangs).
//  - a model file holding a NaN / Inf weight: the forward pass throws the engine's non-finite
//    logit error (in-process through the engine, and through the airtp binary);
//  - the AirComp transceiver design in a deep fade (one channel scaled by 1e-6): every design
//    stays finite, and the faded device is reported in TransceiverDesign::dropped exactly when
//    the documented rule (solo MSE >= L) says so;
//  - the SSCA model-assignment optimizer given NaN inputs: std::invalid_argument naming the field.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <array>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../opt/assignment_fixture.h"
#include "../tp/engine_fixture.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "opt/ssca.h"
#include "opt/transceiver.h"

namespace airtp {
namespace {

namespace fs = std::filesystem;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------------------------
// Model files with non-finite weights

// A small Llama model (dim 64, hidden 64, 1 layer, 4 heads, 2 KV heads, vocab 8) with smooth
// finite weights, except value `index` of tensor `poison` (if any), which is set to `value`.
// F32 tensors, or Q8_0 matrices when `q8`: then the poisoned value is the fp16 scale of the
// block holding `index` (a quantized file carries its non-finite numbers in the scales). Head
// size 16 and 2 devices put every column split on a Q8_0 block boundary.
struct Poison {
  std::string tensor;  // empty = a clean model
  size_t index = 0;
  float value = 0;
};

uint16_t half_bits(float f) {
  if (std::isnan(f)) return 0x7e00;
  if (std::isinf(f)) return f > 0 ? 0x7c00 : 0xfc00;
  return 0x2000;  // 2^-7: all scales equal, finite
}

fs::path write_model(const fs::path& dir, const std::vector<Poison>& poisons, bool q8 = false) {
  gguf::Writer w;
  w.add_string("general.architecture", "llama");
  w.add_uint32("llama.context_length", 16);
  w.add_uint32("llama.embedding_length", 64);
  w.add_uint32("llama.feed_forward_length", 64);
  w.add_uint32("llama.block_count", 1);
  w.add_uint32("llama.attention.head_count", 4);
  w.add_uint32("llama.attention.head_count_kv", 2);
  w.add_string("tokenizer.ggml.model", "llama");
  w.add_string_array("tokenizer.ggml.tokens",
                     {"<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", "\xe2\x96\x81" "a", "ab"});
  w.add_float32_array("tokenizer.ggml.scores", {0, 0, 0, -1, -2, -3, -4, -5});
  w.add_int32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 1, 1});
  auto add = [&](const std::string& name, uint64_t cols, uint64_t rows, bool matrix) {
    const size_t n = cols * rows;
    std::vector<uint8_t> b;
    if (matrix && q8) {
      for (size_t blk = 0; blk < n / 32; ++blk) {
        uint16_t scale = half_bits(1.0f);
        for (const Poison& p : poisons)
          if (name == p.tensor && p.index / 32 == blk) scale = half_bits(p.value);
        gguf::encode_scalar<uint16_t>(b, scale);
        for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(static_cast<int8_t>((blk * 7 + i * 13) % 61 - 30)));
      }
      w.add_tensor(name, gguf::kTypeQ8_0, {cols, rows}, b);
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      float v = matrix ? 0.05f * std::sin(0.37f * static_cast<float>(i) + static_cast<float>(name.size()))
                       : 1.0f;  // norm weights
      for (const Poison& p : poisons)
        if (name == p.tensor && i == p.index) v = p.value;
      gguf::encode_scalar<float>(b, v);
    }
    if (matrix)
      w.add_tensor(name, gguf::kTypeF32, {cols, rows}, b);
    else
      w.add_tensor(name, gguf::kTypeF32, {cols}, b);
  };
  add("token_embd.weight", 64, 8, true);
  add("blk.0.attn_norm.weight", 64, 1, false);
  add("blk.0.attn_q.weight", 64, 64, true);
  add("blk.0.attn_k.weight", 64, 32, true);
  add("blk.0.attn_v.weight", 64, 32, true);
  add("blk.0.attn_output.weight", 64, 64, true);
  add("blk.0.ffn_norm.weight", 64, 1, false);
  add("blk.0.ffn_gate.weight", 64, 64, true);
  add("blk.0.ffn_down.weight", 64, 64, true);
  add("blk.0.ffn_up.weight", 64, 64, true);
  add("output_norm.weight", 64, 1, false);
  const fs::path path = dir / "model.gguf";
  w.write(path.string());
  return path;
}

class NonFiniteWeights : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("airtp-numerics-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs tokens {1, 4, 5} (BOS, "a", "b") through 2 in-process devices; returns the error
  // message, or "" when the logits came out (they are then checked to be finite).
  std::string forward_error(const std::vector<Poison>& p, bool q8 = false) {
    const Model m = load_gguf(write_model(dir_, p, q8).string());
    test::Rig rig(m, test::Rig::even(2), 1, 8);
    try {
      const auto logits = rig.engine->forward(std::vector<int>{1, 4, 5}, 0);
      EXPECT_EQ(logits.size(), 8u);
      for (float v : logits) EXPECT_TRUE(std::isfinite(v));
      return "";
    } catch (const std::runtime_error& e) {
      return e.what();
    }
  }
  fs::path dir_;
};

TEST_F(NonFiniteWeights, CleanModelGivesFiniteLogits) {
  EXPECT_EQ(forward_error({}), "");
  EXPECT_EQ(forward_error({}, true), "");
}

TEST_F(NonFiniteWeights, NaNOrInfAnywhereIsAClearRunTimeError) {
  // Every kind of tensor; the index lies in a row that token 4 or 5, or every position, uses.
  const std::vector<Poison> cases = {
      {"token_embd.weight", 4 * 64 + 3, kNaN},  {"token_embd.weight", 5 * 64, kInf},
      {"blk.0.attn_norm.weight", 7, kNaN},      {"blk.0.attn_q.weight", 100, kNaN},
      {"blk.0.attn_k.weight", 40, kNaN},        {"blk.0.attn_v.weight", 3, kNaN},
      {"blk.0.attn_v.weight", 3, -kInf},        {"blk.0.attn_output.weight", 500, kNaN},
      {"blk.0.ffn_norm.weight", 0, kNaN},       {"blk.0.ffn_gate.weight", 33, kNaN},
      {"blk.0.ffn_up.weight", 1000, kInf},      {"blk.0.ffn_down.weight", 64 * 5 + 1, kNaN},
      {"output_norm.weight", 63, kNaN},         {"output_norm.weight", 2, kInf},
  };
  for (const Poison& p : cases) {
    SCOPED_TRACE(p.tensor + "[" + std::to_string(p.index) + "] = " + std::to_string(p.value));
    const std::string err = forward_error({p});
    EXPECT_NE(err.find("non-finite logit"), std::string::npos) << err;
    EXPECT_NE(err.find("NaN/Inf weights"), std::string::npos) << err;
  }
}

// Found by fuzz_gguf: huge but finite weights overflow every attention score of a position to
// -inf before any logit exists; the forward pass used to stop with the kernel's
// std::invalid_argument "softmax: all 1 values are -inf" instead of an error naming the cause.
TEST_F(NonFiniteWeights, OverflowingAttentionIsTheEngineError) {
  std::string err;
  try {
    err = forward_error({{"blk.0.attn_q.weight", 0, 3e38f}, {"blk.0.attn_k.weight", 0, -3e38f}});
  } catch (const std::exception& e) {
    err = std::string("escaped: ") + e.what();
  }
  EXPECT_NE(err.find("non-finite attention scores"), std::string::npos) << err;
  EXPECT_NE(err.find("layer 0"), std::string::npos) << err;
}

TEST_F(NonFiniteWeights, NonFiniteQ8ScaleIsAClearRunTimeError) {
  for (const Poison& p : {Poison{"blk.0.ffn_up.weight", 64, kNaN}, Poison{"blk.0.attn_output.weight", 0, kInf},
                          Poison{"token_embd.weight", 4 * 64, kNaN}}) {
    SCOPED_TRACE(p.tensor);
    const std::string err = forward_error({p}, true);
    EXPECT_NE(err.find("non-finite logit"), std::string::npos) << err;
  }
}

// The same through the command line: one clear line, a non-zero exit, no signal.
TEST_F(NonFiniteWeights, BinaryExitsWithTheErrorInsteadOfPrintingGarbage) {
  const fs::path model = write_model(dir_, {{"blk.0.ffn_down.weight", 64 * 2, kNaN}});
  const std::string cmd = std::string("timeout 120 ") + AIRTP_BINARY + " generate -m " + model.string() +
                          " -D 2 -t 1 -n 3 -p ab 2>&1";
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal:\n" << out;
  EXPECT_NE(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("non-finite logit"), std::string::npos) << out;
}

// ---------------------------------------------------------------------------------------------
// AirComp transceiver design in deep fades

// Complex Gaussian channels with a path gain of ~1e-11 (100 m), noise ~1e-13 W, 0.1 W budgets:
// the paper's operating point (paper.md 5.4), M = 8, K = L = 2, 3 devices.
TransceiverProblem fading_problem(double fade) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0.0, std::sqrt(0.5));
  TransceiverProblem p;
  p.sigma2 = 1e-13;
  p.n_streams = 2;
  for (int n = 0; n < 3; ++n) {
    Eigen::MatrixXcd H(8, 2);
    for (int i = 0; i < H.size(); ++i) H(i) = {g(rng), g(rng)};
    H *= std::sqrt(1e-11) * (n == 1 ? fade : 1.0);
    p.H.push_back(H);
    p.power.push_back(0.1);
  }
  return p;
}

// Device n's MSE if it were served alone with the best receiver: sigma2 (sum_l 1/sv_l)^2 / p_n
// (the documented dropping rule), from an SVD independent of the design code.
double solo_mse(const TransceiverProblem& p, int n) {
  const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXcd>(p.H[n]).singularValues();
  double s = 0;
  for (int l = 0; l < p.n_streams; ++l) s += 1.0 / sv(l);
  return p.sigma2 * s * s / p.power[n];
}

// The MSE of a design recomputed from its matrices.
double recomputed_mse(const TransceiverProblem& p, const TransceiverDesign& d) {
  const int L = p.n_streams;
  double mse = p.sigma2 * d.A.squaredNorm();
  for (int n = 0; n < p.n_devices(); ++n)
    mse += (d.A.adjoint() * p.H[n] * d.B[n] - Eigen::MatrixXcd::Identity(L, L)).squaredNorm();
  return mse;
}

bool all_finite(const Eigen::MatrixXcd& m) { return m.array().isFinite().all(); }

TEST(DeepFade, EveryDesignStaysFiniteAndDropsTheFadedDevice) {
  const TransceiverProblem p = fading_problem(1e-6);
  const int L = p.n_streams;
  // The premise: the faded device fails the rule, the others pass it by far.
  ASSERT_GE(solo_mse(p, 1), L);
  ASSERT_LT(solo_mse(p, 0), 0.2 * L);
  ASSERT_LT(solo_mse(p, 2), 0.2 * L);
  double best_baseline = INFINITY;
  for (auto method : {TransceiverMethod::SdrPaper, TransceiverMethod::MmseZf, TransceiverMethod::MatchedFilter,
                      TransceiverMethod::EqualPower, TransceiverMethod::Sdr}) {
    SCOPED_TRACE(to_string(method));
    TransceiverOptions o;
    o.n_randomizations = 10;
    const TransceiverDesign d = design_transceiver(p, method, o);
    EXPECT_TRUE(all_finite(d.A));
    ASSERT_EQ(d.B.size(), 3u);
    for (const auto& B : d.B) EXPECT_TRUE(all_finite(B));
    ASSERT_TRUE(std::isfinite(d.mse));
    EXPECT_NEAR(d.mse, recomputed_mse(p, d), 1e-9 * std::max(1.0, d.mse));
    for (int n = 0; n < 3; ++n) EXPECT_LE(d.tx_power[n], p.power[n] * (1 + 1e-9));
    ASSERT_EQ(d.dropped.size(), 3u);
    if (method == TransceiverMethod::EqualPower) {
      EXPECT_EQ(d.n_dropped(), 0);  // documented: this baseline never drops anyone
    }
    if (method == TransceiverMethod::Sdr) {
      // Dropping is one candidate among the baselines: whichever wins, never worse than any.
      EXPECT_LE(d.mse, best_baseline * (1 + 1e-9));
      continue;
    }
    best_baseline = std::min(best_baseline, d.mse);
    if (method == TransceiverMethod::EqualPower) continue;
    // Zero-forcing designs: the faded device is reported and silent, the others are aligned;
    // its lost signal costs exactly ||-I_L||^2 = L.
    EXPECT_FALSE(d.dropped[0]);
    EXPECT_TRUE(d.dropped[1]);
    EXPECT_FALSE(d.dropped[2]);
    EXPECT_EQ(d.n_dropped(), 1);
    EXPECT_EQ(d.B[1].norm(), 0.0);
    EXPECT_NEAR(d.misalignment, L, 1e-6);
    EXPECT_GE(d.mse, L - 1e-9);
  }
  // The optimized design serves the two good devices nearly as well as alone.
  TransceiverOptions o;
  o.n_randomizations = 10;
  EXPECT_LT(design_transceiver(p, TransceiverMethod::Sdr, o).mse, L + solo_mse(p, 0) + solo_mse(p, 2) + 0.5);
}

TEST(DeepFade, WithoutDroppingTheMseIsHugeButFinite) {
  const TransceiverProblem p = fading_problem(1e-6);
  TransceiverOptions o;
  o.n_randomizations = 10;
  o.drop_solo_mse = 0;  // never drop
  for (auto method : {TransceiverMethod::SdrPaper, TransceiverMethod::MmseZf}) {
    SCOPED_TRACE(to_string(method));
    const TransceiverDesign d = design_transceiver(p, method, o);
    EXPECT_EQ(d.n_dropped(), 0);
    EXPECT_TRUE(all_finite(d.A));
    for (const auto& B : d.B) EXPECT_TRUE(all_finite(B));
    ASSERT_TRUE(std::isfinite(d.mse));
    // Serving the faded device costs at least its solo MSE (a lower bound for any receiver).
    EXPECT_GE(d.mse, solo_mse(p, 1) * (1 - 1e-6));
  }
}

TEST(DeepFade, ModerateFadeKeepsEveryDevice) {
  const TransceiverProblem p = fading_problem(0.5);
  ASSERT_LT(solo_mse(p, 1), p.n_streams);
  TransceiverOptions o;
  o.n_randomizations = 10;
  const TransceiverDesign d = design_transceiver(p, TransceiverMethod::Sdr, o);
  EXPECT_EQ(d.n_dropped(), 0);
  EXPECT_TRUE(std::isfinite(d.mse));
  EXPECT_LT(d.misalignment, 1e-6);  // zero-forcing: every kept device aligned
}

TEST(DeepFade, ZeroChannelIsRejectedOrDroppedOnRequest) {
  TransceiverProblem p = fading_problem(1.0);
  p.H[2].setZero();
  TransceiverOptions o;
  o.n_randomizations = 10;
  try {
    design_transceiver(p, TransceiverMethod::Sdr, o);
    ADD_FAILURE() << "no error for an all-zero channel";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2"), std::string::npos) << e.what();  // names the device
  }
  o.drop_rank_deficient = true;
  const TransceiverDesign d = design_transceiver(p, TransceiverMethod::Sdr, o);
  EXPECT_TRUE(d.dropped[2]);
  EXPECT_TRUE(std::isfinite(d.mse));
}

TEST(DeepFade, NonFiniteChannelIsRejected) {
  for (double bad : {std::nan(""), HUGE_VAL}) {
    TransceiverProblem p = fading_problem(1.0);
    p.H[1](3, 1) = {0.0, bad};
    EXPECT_THROW(design_transceiver(p, TransceiverMethod::Sdr), std::invalid_argument);
    p = fading_problem(1.0);
    p.power[0] = bad;
    EXPECT_THROW(design_transceiver(p, TransceiverMethod::MmseZf), std::invalid_argument);
    p = fading_problem(1.0);
    p.sigma2 = bad;
    EXPECT_THROW(design_transceiver(p, TransceiverMethod::Sdr), std::invalid_argument);
  }
}

// ---------------------------------------------------------------------------------------------
// SSCA model assignment with NaN inputs

ChannelSampler ssca_sampler(double poison = 1.0) {
  return [poison](int t) {
    const TransceiverProblem tp = fading_problem(1.0);
    ChannelRealization r;
    r.block_index = static_cast<uint64_t>(t);
    r.H = tp.H;
    r.H[0](0, 0) *= poison;
    r.noise_power_w = tp.sigma2;
    return r;
  };
}

SscaOptions ssca_options() {
  SscaOptions o;
  o.max_iterations = 3;
  o.min_iterations = 1;
  o.window = 1;
  o.solver.n_streams = 2;
  o.solver.options.n_randomizations = 5;
  return o;
}

// Runs SSCA; expects std::invalid_argument whose message contains `field`.
void expect_rejected(const AssignmentProblem& p, const SscaOptions& o, const ChannelSampler& s,
                     const std::string& field) {
  try {
    const SscaResult r = run_ssca(p, s, o);
    std::string shares;
    for (double m : r.shares) shares += std::to_string(m) + " ";
    ADD_FAILURE() << "no error for NaN in " << field << "; shares " << shares;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(SscaNaN, CleanInputsConverge) {
  const SscaResult r = run_ssca(test::three_device_problem(), ssca_sampler(), ssca_options());
  double sum = 0;
  for (double m : r.shares) {
    EXPECT_TRUE(std::isfinite(m));
    sum += m;
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_TRUE(std::isfinite(r.running_mse));
}

TEST(SscaNaN, ProblemFieldsAreRejectedByName) {
  const double nan = std::nan("");
  auto p = test::three_device_problem();
  p.energy_per_param[1] = nan;
  expect_rejected(p, ssca_options(), ssca_sampler(), "energy_per_param[1]");
  p = test::three_device_problem();
  p.energy_budget[2] = nan;
  expect_rejected(p, ssca_options(), ssca_sampler(), "energy_budget[2]");
  p = test::three_device_problem();
  p.layer_params = nan;
  expect_rejected(p, ssca_options(), ssca_sampler(), "layer_params");
  p = test::three_device_problem();
  p.tx_seconds = nan;
  expect_rejected(p, ssca_options(), ssca_sampler(), "tx_seconds");
  p = test::three_device_problem();
  p.energy_margin = nan;
  expect_rejected(p, ssca_options(), ssca_sampler(), "energy_margin");
  p = test::three_device_problem();
  p.min_share = {0, nan, 0};
  expect_rejected(p, ssca_options(), ssca_sampler(), "min_share[1]");
}

// Found while writing these tests: AssignmentProblem::upper_bounds takes std::min({1, energy,
// max_share[i]}), which drops a NaN, so a NaN max_share used to be read as "no limit".
TEST(SscaNaN, NaNMaxShareIsRejectedByName) {
  auto p = test::three_device_problem();
  p.max_share = {1, 1, std::nan("")};
  expect_rejected(p, ssca_options(), ssca_sampler(), "max_share[2]");
  p.max_share = {1, 1.5, 1};
  expect_rejected(p, ssca_options(), ssca_sampler(), "max_share[1]");
}

TEST(SscaNaN, OptionsAreRejectedByName) {
  const double nan = std::nan("");
  auto o = ssca_options();
  o.tolerance = nan;
  expect_rejected(test::three_device_problem(), o, ssca_sampler(), "tolerance");
  o = ssca_options();
  o.eta_scale = nan;
  expect_rejected(test::three_device_problem(), o, ssca_sampler(), "eta_scale");
  o = ssca_options();
  o.rho_exponent = nan;
  expect_rejected(test::three_device_problem(), o, ssca_sampler(), "rho_exponent");
  o = ssca_options();
  o.gamma_exponent = nan;
  expect_rejected(test::three_device_problem(), o, ssca_sampler(), "gamma_exponent");
  // A NaN start is refused (std::invalid_argument), though by the projection it goes through
  // ("simplex QP: centre[1] = nan is not finite"), which does not name SscaOptions::initial.
  o = ssca_options();
  o.initial = {0.5, nan, 0.5};
  expect_rejected(test::three_device_problem(), o, ssca_sampler(), "nan");
}

TEST(SscaNaN, NaNChannelIsRejected) {
  EXPECT_THROW(run_ssca(test::three_device_problem(), ssca_sampler(std::nan("")), ssca_options()), std::invalid_argument);
}

}  // namespace
}  // namespace airtp
