// ppl-snr at smoke sizes on the tiny test model (2 devices): exact tensor-parallel inference is
// single-device inference; fewer digital bits cost accuracy; more SNR helps AirComp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "experiments/ppl_snr/ppl_snr.h"

using namespace airtp;
namespace fs = std::filesystem;

namespace {

const PplRun& run_of(const PplSweepResult& r, const std::string& scheme, double snr = std::nan("")) {
  for (const auto& x : r.runs)
    if (x.scheme == scheme && (std::isnan(snr) ? std::isnan(x.snr_db) : x.snr_db == snr)) return x;
  throw std::logic_error("run missing: " + scheme);
}

std::string text_file() {
  fs::path p = fs::temp_directory_path() / "airtp-ppl-text-";
  p += std::to_string(::getpid());
  p += ".txt";
  std::ofstream out(p);
  for (int i = 0; i < 30; ++i)
    out << "Once upon a time there was a little girl who liked to play in the park with her dog. "
           "One day the sun was bright and the birds sang in the tall green trees.\n";
  return p.string();
}

}  // namespace

TEST(ExperimentPpl, OrderingsOnTheTinyModel) {
  PplSweepParams p;
  p.model_path = std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf";
  p.text_path = text_file();
  p.devices = 2;
  p.snr_db = {0, 40};
  p.aircomp_designs = {"sdr"};
  p.digital_bits = {8, 4};
  p.ctx = 32;
  p.chunks = 2;
  p.coherence = 8;
  p.randomizations = 5;
  p.threads = 1;
  const auto r = run_ppl_sweep(p);
  fs::remove(p.text_path);
  ASSERT_EQ(r.runs.size(), 2u + 2u * 3u);

  // Exact all-reduce over 2 devices is single-device inference (up to float summation order).
  const auto& one = run_of(r, "exact-1dev");
  const auto& exact = run_of(r, "exact");
  EXPECT_EQ(one.devices, 1);
  EXPECT_EQ(exact.devices, 2);
  EXPECT_NEAR(exact.ppl.ppl / one.ppl.ppl, 1.0, 1e-5);
  EXPECT_LT(exact.ppl.kl.mean, 1e-9);
  EXPECT_EQ(exact.ppl.top1_agreement, 1.0);
  EXPECT_EQ(exact.nmse, 0.0);
  // The exact run's reference PPL (computed independently inside evaluate_perplexity) is the 1-device PPL.
  EXPECT_NEAR(exact.ppl.ref_ppl / one.ppl.ppl, 1.0, 1e-9);

  for (double snr : {0.0, 40.0}) {
    SCOPED_TRACE(snr);
    const auto& d8 = run_of(r, "digital-8bit", snr);
    const auto& d4 = run_of(r, "digital-4bit", snr);
    EXPECT_GT(d4.ppl.kl.mean, d8.ppl.kl.mean);  // fewer bits, larger divergence
    EXPECT_GT(d4.nmse, d8.nmse);
    EXPECT_GT(d8.link_ms_per_token, d4.link_ms_per_token);  // ... but half the payload
  }
  // Digital accuracy does not depend on the SNR (error-free coded link); its link time does.
  EXPECT_EQ(run_of(r, "digital-8bit", 0).ppl.kl.mean, run_of(r, "digital-8bit", 40).ppl.kl.mean);
  EXPECT_GT(run_of(r, "digital-8bit", 0).link_ms_per_token, run_of(r, "digital-8bit", 40).link_ms_per_token);
  // AirComp: 40 dB more SNR, (much) smaller error and divergence.
  const auto& lo = run_of(r, "aircomp-sdr", 0);
  const auto& hi = run_of(r, "aircomp-sdr", 40);
  EXPECT_LT(hi.nmse, lo.nmse / 100);
  EXPECT_LT(hi.ppl.kl.mean, lo.ppl.kl.mean);
  EXPECT_GT(lo.designs, 0);
}

TEST(ExperimentPpl, NeedsTwoDevicesAndReadableText) {
  PplSweepParams p;
  p.model_path = std::string(AIRTP_TEST_DATA) + "/tiny-q8_0.gguf";
  p.text_path = "/nonexistent/text.txt";
  p.devices = 1;
  EXPECT_THROW(run_ppl_sweep(p), std::invalid_argument);
  p.devices = 2;
  try {
    run_ppl_sweep(p);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/text.txt"), std::string::npos);
  }
}
