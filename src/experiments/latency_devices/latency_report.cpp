// latency-devices: parameters -> sweep (measure, model) -> report (tables, key numbers, notes,
// figures).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "experiments/latency_devices/latency_devices.h"

namespace airtp {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct LatencyParams {
  LatencySweepParams sweep;
  bool bundled = true;
  std::string model_path;
  BenchSettings bench;
  std::vector<std::string> paper_models;
  double paper_bpw = 18.0 / 32.0;
  double paper_ms = 114.2;
};

LatencyParams read_params(const json& params) {
  ParamReader r(params, "latency-devices");
  LatencyParams p;
  auto& s = p.sweep;
  s.devices = r.integers("devices", 1, 8);
  s.schemes = r.strings("schemes", scheme_names());
  s.bandwidth_mhz = r.number("bandwidth_mhz", 0.01, 1e5);
  s.tx_power_dbm = r.number("tx_power_dbm", -30, 60);
  s.digital_bits = r.integer("digital_bits", 2, 16);
  s.ethernet_gbps = r.number("ethernet_gbps", 1e-3, 1e4);
  s.broadcast = r.boolean("broadcast");
  s.sync_overhead_us = r.number("sync_overhead_us", 0, 1e6);
  s.device_memory_gb = r.number("device_memory_gb", 0.001, 1e6);
  s.seed = static_cast<uint64_t>(r.integer("seed", 0, 1 << 30));
  p.bundled = r.boolean("bundled");
  p.model_path = r.path("model");
  p.bench.threads = r.integer("threads", 0, 256);
  p.bench.prompt_tokens = r.integer("bench_prompt_tokens", 1, 4096);
  p.bench.gen_tokens = r.integer("bench_gen_tokens", 1, 4096);
  p.bench.repetitions = r.integer("bench_repetitions", 1, 100);
  p.bench.given_ms_per_token = r.number("measured_ms_per_token", 0, 1e6);
  p.bench.measure_split = r.boolean("measure_split");
  p.paper_models = r.strings("paper_models", model_shape_preset_names());
  p.paper_bpw = r.number("paper_bytes_per_weight", 0.01, 8);
  p.paper_ms = r.number("paper_1dev_7b_ms", 0.001, 1e7);
  return p;
}

// Everything the report needs: the rows of every (model, N, scheme), and how each model's
// devices were set up.
struct LatencyResults {
  std::vector<LatencyRow> rows;
  std::vector<std::string> models;
  std::map<std::string, std::string> part;                            // model -> "bundled" | "paper"
  std::map<std::string, std::pair<ModelShape, DeviceProfile>> setup;  // model -> shape, device
  std::map<std::string, double> no_broadcast_ratio;                   // model -> digital/AirComp at max N
  BundledMeasurement bundled;
  DeviceProfile paper_device;
};

int max_devices(const LatencySweepParams& p) { return *std::max_element(p.devices.begin(), p.devices.end()); }

LatencyResults run_sweep(const LatencyParams& p, const ExperimentProgress& progress) {
  LatencyResults res;
  const double memory = p.sweep.device_memory_gb * 1e9;
  auto add = [&](const ModelShape& shape, const DeviceProfile& dev, const std::string& part) {
    auto v = latency_sweep(shape, dev, p.sweep);
    res.rows.insert(res.rows.end(), v.begin(), v.end());
    res.models.push_back(shape.name);
    res.part[shape.name] = part;
    res.setup[shape.name] = {shape, dev};
    // The broadcast of the result is common to both wireless schemes and dilutes their ratio;
    // the paper's figures may not count it (paper.md 2), so the ratio without it too.
    LatencySweepParams q = p.sweep;
    q.broadcast = false;
    q.devices = {max_devices(p.sweep)};
    q.schemes = {"aircomp", "digital"};
    const auto w = latency_sweep(shape, dev, q);
    res.no_broadcast_ratio[shape.name] = w[1].latency.total_s() / w[0].latency.total_s();
  };
  if (p.bundled) {
    res.bundled = measure_bundled(p.model_path, p.bench, p.sweep.devices, progress, 0.9);
    const auto& bm = res.bundled;
    // The bundled model is tiny: give it the memory it needs so no split is "too big".
    add(bm.shape, calibrated_device(bm.shape, bm.s_per_token, std::max(memory, 2 * bm.shape.total_weight_bytes())),
        "bundled");
  }
  if (progress) progress(0.9, "latency model");
  if (!p.paper_models.empty()) {
    // One device type for all paper models: LLaMA2-7B on it takes the paper's 1-device time.
    res.paper_device = calibrated_device(model_shape_preset("llama2-7b", p.paper_bpw), p.paper_ms * 1e-3, memory);
    for (const auto& m : p.paper_models) add(model_shape_preset(m, p.paper_bpw), res.paper_device, "paper");
  }
  if (progress) progress(1.0, "done");
  return res;
}

const LatencyRow* find_row(const std::vector<LatencyRow>& rows, const std::string& model, int n,
                           const std::string& scheme) {
  for (const auto& r : rows)
    if (r.model == model && r.devices == n && r.scheme == scheme) return &r;
  return nullptr;
}

// Per-token figures of one (model, N, scheme) row, NaN when the share does not fit in memory.
double ms_or_nan(const LatencyRow* r, double TokenLatency::*field) {
  return r && r->fits ? 1e3 * (r->latency.*field) : kNaN;
}
double total_ms(const LatencyRow* r) { return r && r->fits ? 1e3 * r->latency.total_s() : kNaN; }

double table1_at(const std::string& model, int n) {
  for (const auto& [pn, pv] : paper_table1(model))
    if (pn == n) return pv;
  return kNaN;
}

json split_json(const std::map<int, double>& m) {
  json j = json::object();
  for (const auto& [n, ms] : m) j[std::to_string(n)] = ms;
  return j;
}

// The record: one row per (model, N, scheme).
Table long_table(const LatencyParams& p, const LatencyResults& res) {
  Table t({"part", "model", "devices", "scheme", "fits_memory", "compute_ms", "comm_ms", "total_ms",
           "per_allreduce_us", "uplink_us", "downlink_us", "allreduces_per_token", "speedup_vs_first_n",
           "measured_compute_ms", "paper_table1_ms"});
  for (const auto& m : res.models) {
    const bool bundled = res.part.at(m) == "bundled";
    for (const auto& scheme : p.sweep.schemes) {
      double first = kNaN;
      for (int n : p.sweep.devices) {
        const LatencyRow* row = find_row(res.rows, m, n, scheme);
        const double tot = total_ms(row);
        if (std::isnan(first) && std::isfinite(tot)) first = tot;
        const auto split = res.bundled.split_ms.find(n);
        const double measured = bundled && split != res.bundled.split_ms.end() ? split->second : kNaN;
        const double paper = scheme == "aircomp" ? table1_at(m, n) : kNaN;
        const auto& ar = row->latency.per_allreduce;
        t.add_row({res.part.at(m), m, static_cast<double>(n), scheme, row->fits ? 1.0 : 0.0,
                   ms_or_nan(row, &TokenLatency::compute_s), ms_or_nan(row, &TokenLatency::comm_s), tot,
                   1e6 * ar.total_s(), 1e6 * ar.uplink_s, 1e6 * ar.downlink_s,
                   static_cast<double>(row->latency.allreduces), first / tot, measured, paper});
      }
    }
  }
  return t;
}

// Wide table of one part for the figures: a row per N, columns per model and scheme.
Table wide_table(const LatencyParams& p, const LatencyResults& res, const std::string& which) {
  std::vector<std::string> cols{"devices"};
  for (const auto& m : res.models) {
    if (res.part.at(m) != which) continue;
    cols.push_back(m + "_compute_ms");
    if (which == "bundled") cols.push_back(m + "_measured_compute_ms");
    if (which == "paper") cols.push_back(m + "_paper_ms");
    for (const auto& s : p.sweep.schemes) {
      cols.push_back(fmt::format("{}_{}_total_ms", m, s));
      cols.push_back(fmt::format("{}_{}_comm_ms", m, s));
    }
  }
  Table w(cols);
  for (int n : p.sweep.devices) {
    std::vector<Table::Cell> row{static_cast<double>(n)};
    for (const auto& m : res.models) {
      if (res.part.at(m) != which) continue;
      row.push_back(ms_or_nan(find_row(res.rows, m, n, p.sweep.schemes.front()), &TokenLatency::compute_s));
      if (which == "bundled") {
        const auto split = res.bundled.split_ms.find(n);
        row.push_back(split != res.bundled.split_ms.end() ? split->second : kNaN);
      }
      if (which == "paper") row.push_back(table1_at(m, n));
      for (const auto& s : p.sweep.schemes) {
        const LatencyRow* lr = find_row(res.rows, m, n, s);
        row.push_back(total_ms(lr));
        // Log-scale axis: an exact link's 0 ms is left out.
        const double c = ms_or_nan(lr, &TokenLatency::comm_s);
        row.push_back(c > 0 ? c : kNaN);
      }
    }
    w.add_row(std::move(row));
  }
  return w;
}

// Key numbers per model: AirComp vs digital at the largest N, speed-up over N, Table I.
json model_results(const LatencyParams& p, const LatencyResults& res) {
  const int nmax = max_devices(p.sweep);
  json per_model = json::object();
  for (const auto& m : res.models) {
    json jm = {{"part", res.part.at(m)}};
    const LatencyRow* air = find_row(res.rows, m, nmax, "aircomp");
    const LatencyRow* dig = find_row(res.rows, m, nmax, "digital");
    const LatencyRow* mesh = find_row(res.rows, m, nmax, "mesh");
    if (air && dig) {
      jm[fmt::format("aircomp_over_digital_total_at_n{}", nmax)] = json_number(total_ms(dig) / total_ms(air));
      jm[fmt::format("aircomp_over_digital_comm_at_n{}", nmax)] = json_number(dig->latency.comm_s / air->latency.comm_s);
      jm[fmt::format("aircomp_over_digital_uplink_at_n{}", nmax)] =
          json_number(dig->latency.per_allreduce.uplink_s / air->latency.per_allreduce.uplink_s);
      jm[fmt::format("aircomp_over_digital_total_at_n{}_without_broadcast", nmax)] =
          json_number(res.no_broadcast_ratio.at(m));
    }
    if (air && mesh)
      jm[fmt::format("aircomp_over_mesh_total_at_n{}", nmax)] = json_number(total_ms(mesh) / total_ms(air));
    if (air) {
      jm["aircomp_ms_per_allreduce_us"] = 1e6 * air->latency.per_allreduce.total_s();
      jm["aircomp_uplink_us"] = 1e6 * air->latency.per_allreduce.uplink_s;
      jm["broadcast_us"] = 1e6 * air->latency.per_allreduce.downlink_s;
    }
    // AirComp speed-up from the fewest devices that fit to nmax, vs the paper's Table I.
    double first_ms = kNaN;
    int first_n = 0;
    for (int n : p.sweep.devices) {
      const double v = total_ms(find_row(res.rows, m, n, "aircomp"));
      if (std::isfinite(v)) {
        first_ms = v;
        first_n = n;
        break;
      }
    }
    if (air && first_n) {
      jm["aircomp_speedup"] = {{"from_n", first_n}, {"to_n", nmax}, {"ours", first_ms / total_ms(air)}};
      const double pf = table1_at(m, first_n), pl = table1_at(m, nmax);
      if (std::isfinite(pf) && std::isfinite(pl)) jm["aircomp_speedup"]["paper_table1"] = pf / pl;
      json cmp = json::array();
      for (const auto& [pn, pv] : paper_table1(m)) {
        const LatencyRow* ar = find_row(res.rows, m, pn, "aircomp");
        if (ar) cmp.push_back({{"devices", pn}, {"paper_ms", json_number(pv)}, {"ours_ms", json_number(total_ms(ar))}});
      }
      if (!cmp.empty()) jm["table1"] = cmp;
    }
    per_model[m] = jm;
  }
  return per_model;
}

// What a reader must know to interpret the numbers, stated from the parameters actually used.
std::vector<std::string> notes(const LatencyParams& p, const LatencyResults& res) {
  const auto& sw = p.sweep;
  const auto& [shape, dev] = res.setup.begin()->second;
  const Scenario s = latency_scenario(shape, dev, sw, max_devices(sw));
  const auto& radio = s.radio();
  std::vector<std::string> out = {
      "Latency model (perfmodel/latency.h): per token 2 x n_layers all-reduces of d values; compute steps paced by "
      "the slowest device, no overlap of compute and communication; compute of a share = max(FLOPs/F, "
      "bytes/bandwidth). Each all-reduce is priced by its scheme's link model (comm/scheme.h), the one that also "
      "accounts real runs."};
  std::vector<std::string> schemes;
  for (const auto& name : sw.schemes) schemes.push_back(fmt::format("{} = {}", name, s.scheme(name).label()));
  out.push_back(fmt::format("Schemes: {}.", fmt::join(schemes, "; ")));
  out.push_back(fmt::format(
      "Radio: the paper-homogeneous-N scenarios, N devices spread evenly over 10-100 m, M = {}, K = {}, L = {} "
      "streams, {:g} MHz, {:g} dBm per device, {} fading (seed {}). AirComp: ceil(d / ({} L)) channel uses of the "
      "whole band, independent of N. Digital: {}-bit values over OFDMA, each device on B/N at its MIMO capacity "
      "(harmonic mean over {} channel realizations). Both then broadcast the {:g}-bit result from the server "
      "({:g} dBm) {}.",
      radio.n_rx_antennas, radio.n_tx_antennas, radio.n_streams, radio.bandwidth_hz / 1e6, sw.tx_power_dbm,
      to_string(radio.fading), radio.seed, s.link.air.reals_per_symbol, sw.digital_bits, s.channel_samples,
      s.link.air.downlink_bits_per_value, radio.server_tx_power_dbm, sw.broadcast ? "(counted)" : "(not counted)"));
  out.push_back(fmt::format(
      "Ethernet mesh: distributed-llama's all-to-all of {}-bit block-quantized partials at {:g} Gbit/s per node "
      "(N-1 copies serialised on each NIC, {:g} us per message). Exact: an ideal link of {:g} us per all-reduce.",
      sw.digital_bits, sw.ethernet_gbps, s.link.wire.latency_s * 1e6, s.link.ideal_latency_s * 1e6));
  if (!p.paper_models.empty())
    out.push_back(fmt::format(
        "Paper sizes: one device type, calibrated so that LLaMA2-7B ({} bytes/weight, Q4_0 as in distributed-llama) "
        "decodes in {:g} ms/token on one device, the paper's Table I value; the other models follow from their "
        "weight bytes. Devices hold {:g} GB (a share that does not fit is reported as NaN, like the paper's N/A).",
        p.paper_bpw, p.paper_ms, sw.device_memory_gb));
  if (p.bundled)
    out.push_back(fmt::format(
        "Bundled model: compute calibrated from its decode measured on this machine with one device ({:.3f} "
        "ms/token{}, fastest of the repetitions: the machine is shared); measured_compute_ms is the in-process "
        "tensor-parallel run with N devices (slowest device per step, measured the same way), which also pays "
        "thread-pool and synchronisation overheads the model does not.",
        1e3 * res.bundled.s_per_token, res.bundled.given ? ", given" : ", run_bench"));
  return out;
}

std::string plot_lines(const LatencyParams& p, const LatencyResults& res, const std::string& csv,
                       const std::string& m, bool comm) {
  const Scenario s = latency_scenario(res.setup.at(m).first, res.setup.at(m).second, p.sweep, max_devices(p.sweep));
  std::string out;
  int lc = 1;
  for (const auto& sc : p.sweep.schemes) {
    ++lc;
    if (comm && sc == "exact") continue;
    out += fmt::format("{}'{}' using 'devices':'{}_{}_{}_ms' with linespoints lw 2 pt {} {} title '{}'",
                       out.empty() ? "" : ", \\\n  ", csv, m, sc, comm ? "comm" : "total", 5 + lc,
                       series_color(lc - 2), s.scheme(sc).label());
  }
  return out;
}

GnuplotFigure bundled_figure(const LatencyParams& p, const LatencyResults& res, const std::string& stem) {
  const std::string csv = stem + ".csv";
  const auto& bm = res.bundled;
  const std::string& m = bm.shape.name;
  GnuplotFigure f;
  f.name = stem;
  f.width = 1200;
  f.height = 520;
  const std::string measured =
      bm.split_ms.empty()
          ? std::string()
          : fmt::format(", \\\n  '{}' using 'devices':'{}_measured_compute_ms' with points pt 4 ps 1.5 lc rgb "
                        "'#000000' title 'compute, measured in-process'",
                        csv, m);
  // Head room above the data for the key.
  double ymax = 0;
  for (const auto& r : res.rows)
    if (r.model == m) ymax = std::max(ymax, 1e3 * r.latency.total_s());
  for (const auto& [n, ms] : bm.split_ms) ymax = std::max(ymax, ms);
  ymax *= 1.8;
  f.body = fmt::format(
      "set multiplot layout 1,2 title 'Bundled model {} ({} layers, d = {}): per-token decode latency vs devices'\n"
      "set xlabel 'devices N'\nset key top right font ',9'\nset yrange [0:{:.4g}]\n"
      "set ylabel 'ms per token'\nset title 'total = compute + all-reduces'\n"
      "plot {}, \\\n  '{}' using 'devices':'{}_compute_ms' with lines dt 2 lw 2 lc rgb '#000000' title "
      "'compute (model, calibrated)'{}\n"
      "set ylabel 'ms per token (log)'\nset title 'communication only'\nset logscale y\nset yrange [*:*]\n"
      "plot {}\n"
      "unset multiplot",
      m, bm.shape.n_layers, bm.shape.dim, ymax, plot_lines(p, res, csv, m, false), csv, m, measured,
      plot_lines(p, res, csv, m, true));
  return f;
}

GnuplotFigure paper_figure(const LatencyParams& p, const LatencyResults& res, const std::string& stem) {
  const std::string csv = stem + ".csv";
  GnuplotFigure f;
  f.name = stem;
  const int n = static_cast<int>(p.paper_models.size());
  const int cols = n == 1 ? 1 : 2, rows = (n + 1) / 2;
  f.width = 600 * cols;
  f.height = 420 * rows + 40;
  std::string body = fmt::format(
      "set multiplot layout {},{} title 'Paper model sizes (compute: LLaMA2-7B = {:g} ms/token on one device): "
      "per-token latency vs devices'\n"
      "set xlabel 'devices N'\nset ylabel 'ms per token'\nset key top right font ',8'\nset yrange [0:*]\n",
      rows, cols, p.paper_ms);
  for (const auto& mn : p.paper_models) {
    const std::string m = model_shape_preset(mn).name;
    std::string extra;
    if (!paper_table1(m).empty())
      extra = fmt::format(", \\\n  '{}' using 'devices':'{}_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' "
                          "title 'paper Table I (AirComp)'",
                          csv, m);
    body += fmt::format(
        "set title '{}'\nplot {}, \\\n  '{}' using 'devices':'{}_compute_ms' with lines dt 2 lw 2 lc rgb "
        "'#000000' title 'compute'{}\n",
        m, plot_lines(p, res, csv, m, false), csv, m, extra);
  }
  f.body = body + "unset multiplot";
  return f;
}

ExperimentOutput report(const LatencyParams& p, const LatencyResults& res) {
  const std::string name = "latency-devices";
  ExperimentOutput out;
  if (p.bundled) {
    const auto& bm = res.bundled;
    const auto cal = calibrate_decode(bm.shape, bm.s_per_token);
    out.results["bundled"] = {{"model", bm.path},
                              {"shape", {{"n_layers", bm.shape.n_layers}, {"dim", bm.shape.dim},
                                         {"hidden_dim", bm.shape.hidden_dim}, {"vocab", bm.shape.vocab},
                                         {"bytes_per_weight", bm.shape.bytes_per_weight},
                                         {"weight_bytes", bm.shape.total_weight_bytes()}}},
                              {"measured_ms_per_token_1_device", 1e3 * bm.s_per_token},
                              {"measured_compute_ms_by_devices", split_json(bm.split_ms)},
                              {"load_average_1min", {bm.load_before, bm.load_after}},
                              {"effective_bandwidth_gbs", cal.effective_bandwidth_bytes_per_s / 1e9},
                              {"effective_gflops", cal.effective_flops_per_s / 1e9}};
  }
  if (!p.paper_models.empty())
    out.results["paper_device"] = {{"calibrated_on", "llama2-7b"},
                                   {"ms_per_token_1_device", p.paper_ms},
                                   {"bytes_per_weight", p.paper_bpw},
                                   {"effective_bandwidth_gbs", res.paper_device.mem_bandwidth_bytes_per_s / 1e9},
                                   {"memory_gb", p.sweep.device_memory_gb}};
  out.tables.emplace_back(name, long_table(p, res));
  out.results["models"] = model_results(p, res);
  out.notes = notes(p, res);
  if (p.bundled) {
    const std::string stem = name + "-bundled";
    out.tables.emplace_back(stem, wide_table(p, res, "bundled"));
    out.figures.push_back(bundled_figure(p, res, stem));
  }
  if (!p.paper_models.empty()) {
    const std::string stem = name + "-paper";
    out.tables.emplace_back(stem, wide_table(p, res, "paper"));
    out.figures.push_back(paper_figure(p, res, stem));
  }
  return out;
}

}  // namespace

ExperimentSpec latency_devices_experiment() {
  ExperimentSpec s;
  s.name = "latency-devices";
  s.summary = "Per-token latency vs devices for AirComp, digital OFDMA, Ethernet mesh and exact (compute/comm split)";
  s.defaults = {{"devices", {1, 2, 3, 4, 6, 8}},
                {"schemes", {"aircomp", "digital", "mesh", "exact"}},
                {"bundled", true},
                {"model", "models/airtp-kjv-q8_0.gguf"},
                {"threads", 0},
                {"measured_ms_per_token", 0},
                {"measure_split", true},
                {"bench_prompt_tokens", 16},
                {"bench_gen_tokens", 64},
                {"bench_repetitions", 10},
                {"paper_models", {"llama2-7b", "llama2-13b", "llama2-70b", "llama3-70b"}},
                {"paper_bytes_per_weight", 18.0 / 32.0},
                {"paper_1dev_7b_ms", 114.2},
                {"device_memory_gb", 24},
                {"bandwidth_mhz", 10},
                {"tx_power_dbm", 20},
                {"digital_bits", 8},
                {"ethernet_gbps", 1},
                {"broadcast", true},
                {"sync_overhead_us", 0},
                {"seed", 1}};
  s.smoke = {{"devices", {1, 2, 4, 8}}, {"bench_gen_tokens", 8}, {"bench_repetitions", 1}, {"measure_split", false}};
  s.run = [](const json& params, const ExperimentProgress& progress) {
    const LatencyParams p = read_params(params);
    return report(p, run_sweep(p, progress));
  };
  return s;
}

}  // namespace airtp
