#include "experiments/ppl_snr/ppl_snr.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "model/model.h"
#include "runtime/session.h"

namespace airtp {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(fmt::format("ppl-snr: cannot open text '{}'", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RunSpec {
  std::string scheme;
  double snr = kNaN;
  RunConfig config;
  double cost = 1;
};

}  // namespace

PplSweepResult run_ppl_sweep(const PplSweepParams& p, const ExperimentProgress& progress) {
  if (p.devices < 2) throw std::invalid_argument("ppl-snr: devices must be >= 2 (one device has no all-reduce)");
  RunConfig base;
  base.threads = p.threads;
  base.ctx = p.ctx;
  base.devices = p.devices;
  base.coherence = p.coherence;
  base.radio.seed = p.seed;

  std::vector<RunSpec> specs;
  {
    RunConfig o = base;
    o.devices = 1;
    specs.push_back({"exact-1dev", kNaN, o, 1});
    specs.push_back({"exact", kNaN, base, 1});
  }
  for (double snr : p.snr_db) {
    for (const auto& d : p.aircomp_designs) {
      RunConfig o = base;
      o.allreduce = "aircomp";
      o.allreduce_options = {{"design", d}, {"randomizations", p.randomizations}};
      o.radio.snr_db = snr;
      specs.push_back({"aircomp-" + d, snr, o, d == "sdr" ? 2.0 : 1.2});
    }
    for (int b : p.digital_bits) {
      RunConfig o = base;
      o.allreduce = "digital";
      o.allreduce_options = {{"bits", b}};
      o.radio.snr_db = snr;
      specs.push_back({fmt::format("digital-{}bit", b), snr, o, 1});
    }
  }
  double total = 0, done = 0;
  for (const auto& s : specs) total += s.cost;

  PplSweepResult res;
  const auto model = std::make_shared<const Model>(load_model(p.model_path));
  if (model->tokenizer.empty())
    throw std::invalid_argument(fmt::format("ppl-snr: model '{}' carries no tokenizer", p.model_path));
  const std::vector<int> tokens = model->tokenizer.encode(read_text_file(p.text_path), false);
  res.text_tokens = static_cast<long long>(tokens.size());
  PerplexityOptions po;
  po.chunk_tokens = p.ctx;
  po.max_chunks = p.chunks;
  po.kl = true;
  for (const auto& spec : specs) {
    const std::string status =
        std::isnan(spec.snr) ? spec.scheme : fmt::format("{} at {:g} dB", spec.scheme, spec.snr);
    if (progress) progress(done / total, status);
    Session s(model, spec.config);
    PplRun run;
    run.scheme = spec.scheme;
    run.snr_db = spec.snr;
    run.devices = spec.config.devices;
    run.ppl = evaluate_perplexity(s, tokens, po, [&](int c, int n, double) {
      if (progress) progress((done + spec.cost * c / n) / total, status);
    });
    const auto& st = s.allreduce().stats();
    run.nmse = st.nmse();
    const double processed = static_cast<double>(run.ppl.chunks) * p.ctx;
    run.link_ms_per_token = 1e3 * st.link_time_s / processed;
    const auto own = s.allreduce().scheme_stats();
    const double designs = scheme_stat(own, "designs");
    run.designs = static_cast<int>(designs);
    run.dropped = designs > 0 ? scheme_stat(own, "dropped_devices") / designs : 0.0;
    run.label = s.scheme().label();
    res.runs.push_back(std::move(run));
    done += spec.cost;
  }
  return res;
}

}  // namespace airtp
