#include "experiments/latency_devices/latency_devices.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

#include "runtime/bench.h"
#include "perfmodel/scenario.h"
#include "runtime/session.h"
#include "tensor/dtype.h"

namespace airtp {

using nlohmann::json;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

DeviceProfile calibrated_device(const ModelShape& model, double seconds_per_token, double memory_bytes) {
  if (!(seconds_per_token > 0) || !std::isfinite(seconds_per_token))
    throw std::invalid_argument(fmt::format("calibration: {} s/token must be > 0", seconds_per_token));
  DeviceProfile d;
  d.name = "calibrated";
  d.memory_bytes = memory_bytes;
  return apply_calibration(d, calibrate_decode(model, seconds_per_token));
}

std::vector<std::pair<int, double>> paper_table1(const std::string& model) {
  // paper.md 5.3, [C] Table I via [S1] (unverified secondary source).
  static const std::map<std::string, std::vector<std::pair<int, double>>> table = {
      {"llama2-7b", {{1, 114.2}, {2, 69.7}, {4, 45.7}, {8, 37.8}}},
      {"llama2-13b", {{1, 217.3}, {2, 128.5}, {4, 81.3}, {8, 66.4}}},
      {"llama2-70b", {{1, kNaN}, {2, 660.9}, {4, 423.0}, {8, 354.2}}},
      {"llama3-70b", {{1, kNaN}, {2, 746.8}, {4, 477.1}, {8, 406.0}}},
  };
  const auto it = table.find(model);
  return it == table.end() ? std::vector<std::pair<int, double>>{} : it->second;
}

std::vector<LatencyRow> latency_sweep(const ModelShape& model, const DeviceProfile& device,
                                      const LatencySweepParams& p) {
  std::vector<LatencyRow> rows;
  for (int n : p.devices) {
    if (n < 1 || n > 8) throw std::invalid_argument(fmt::format("latency sweep: {} devices is outside 1..8", n));
    Scenario s = scenario_preset(fmt::format("paper-homogeneous-{}", n));
    for (auto& d : s.devices) {
      const double distance = d.distance_m;
      d = device;
      d.distance_m = distance;
      d.tx_power_w = dbm_to_watt(p.tx_power_dbm);
    }
    s.set_model(model);
    s.wireless.bandwidth_hz = p.bandwidth_mhz * 1e6;
    s.wireless.seed = p.seed;
    s.link.digital_bits_per_value = p.digital_bits;
    s.link.ethernet_link_bps = p.ethernet_gbps * 1e9;
    s.link.broadcast = p.broadcast;
    s.link.sync_overhead_s = p.sync_overhead_us * 1e-6;
    const std::vector<double> shares(static_cast<size_t>(n), 1.0 / n);
    const bool fits = model.weight_bytes(1.0 / n) <= device.memory_bytes;
    for (auto scheme : p.schemes) {
      LatencyRow r;
      r.model = model.name;
      r.devices = n;
      r.scheme = scheme;
      r.fits = fits;
      r.latency = decode_latency(model, s.devices, shares, s.comm_params(scheme));
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

namespace {

std::string scheme_label(AllReduceScheme s) {
  switch (s) {
    case AllReduceScheme::AirComp: return "AirComp (over the air)";
    case AllReduceScheme::DigitalOfdma: return "digital 8-bit OFDMA";
    case AllReduceScheme::EthernetMesh: return "Ethernet mesh (distributed-llama)";
    case AllReduceScheme::EthernetStar: return "Ethernet star (TPI-LLM)";
    case AllReduceScheme::UncodedFdma: return "uncoded FDMA";
    case AllReduceScheme::Exact: return "exact / ideal link";
  }
  return "?";
}

const LatencyRow* find_row(const std::vector<LatencyRow>& rows, const std::string& model, int n, AllReduceScheme s) {
  for (const auto& r : rows)
    if (r.model == model && r.devices == n && r.scheme == s) return &r;
  return nullptr;
}

// 1-minute load average of this machine (-1 if unknown): timing measurements on a busy machine
// are slower than on an idle one, so the result records it.
double load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return -1;
  double v = -1;
  if (std::fscanf(f, "%lf", &v) != 1) v = -1;
  std::fclose(f);
  return v;
}

struct BundledMeasurement {
  std::string path;
  double load_before = -1, load_after = -1;
  ModelShape shape;
  double s_per_token = 0;         // one device, measured decode
  std::map<int, double> split_ms;  // N -> measured in-process compute per token (slowest device per step)
};

BundledMeasurement measure_bundled(const ParamReader& r, const std::vector<int>& devices,
                                   const ExperimentProgress& progress, double progress_share) {
  BundledMeasurement m;
  m.path = r.path("model");
  RunOptions ro;
  ro.model_path = m.path;
  ro.threads = r.integer("threads", 0, 256);
  ro.allreduce = "exact";
  BenchOptions bo;
  bo.prompt_tokens = r.integer("bench_prompt_tokens", 1, 4096);
  bo.gen_tokens = r.integer("bench_gen_tokens", 1, 4096);
  bo.repetitions = r.integer("bench_repetitions", 1, 100);
  const double given_ms = r.number("measured_ms_per_token", 0, 1e6);
  const bool split = r.boolean("measure_split");
  const int steps = 1 + (split ? static_cast<int>(devices.size()) : 0);
  m.load_before = load_average();
  int step = 0;
  auto tick = [&](const std::string& what) {
    if (progress) progress(progress_share * step / steps, what);
  };
  {
    tick("bench 1 device");
    ro.devices = 1;
    Session s(ro);
    const auto& w = s.model().weights.layers.at(0).w_down;
    const double bpw = static_cast<double>(row_bytes(w.type, 4096)) / 4096.0;
    m.shape = model_shape_from_config(s.model().config, bpw);
    if (given_ms > 0) {
      m.s_per_token = given_ms * 1e-3;
    } else {
      const auto b = run_bench(s, bo);
      // The fastest repetition: on a machine shared with other work, the least disturbed one.
      m.s_per_token = 1.0 / b.decode_tps.max;
    }
    ++step;
  }
  if (split)
    for (int n : devices) {
      tick(fmt::format("bench {} devices", n));
      ro.devices = n;
      Session s(ro);
      const auto b = run_bench(s, bo);
      m.split_ms[n] = 1e3 / b.decode_simulated_tps.max;
      ++step;
    }
  m.load_after = load_average();
  return m;
}

json split_json(const std::map<int, double>& m) {
  json j = json::object();
  for (const auto& [n, ms] : m) j[std::to_string(n)] = ms;
  return j;
}

LatencySweepParams read_sweep(const ParamReader& r) {
  LatencySweepParams p;
  p.devices = r.integers("devices", 1, 8);
  p.schemes.clear();
  for (const auto& s : r.strings("schemes", {"aircomp", "digital", "mesh", "star", "fdma", "exact"}))
    p.schemes.push_back(parse_scheme(s));
  p.bandwidth_mhz = r.number("bandwidth_mhz", 0.01, 1e5);
  p.tx_power_dbm = r.number("tx_power_dbm", -30, 60);
  p.digital_bits = r.integer("digital_bits", 1, 32);
  p.ethernet_gbps = r.number("ethernet_gbps", 1e-3, 1e4);
  p.broadcast = r.boolean("broadcast");
  p.sync_overhead_us = r.number("sync_overhead_us", 0, 1e6);
  p.device_memory_gb = r.number("device_memory_gb", 0.001, 1e6);
  p.seed = static_cast<uint64_t>(r.integer("seed", 0, 1 << 30));
  return p;
}

// Per-token figures of one (model, N, scheme) row, NaN when the share does not fit in memory.
double ms_or_nan(const LatencyRow* r, double TokenLatency::*field) {
  return r && r->fits ? 1e3 * (r->latency.*field) : kNaN;
}
double total_ms(const LatencyRow* r) { return r && r->fits ? 1e3 * r->latency.total_s() : kNaN; }

}  // namespace

namespace {

ExperimentOutput run_latency(const json& params, const ExperimentProgress& progress) {
  const std::string name = "latency-devices";
  const ParamReader r(params, name);
  const LatencySweepParams p = read_sweep(r);
  const bool bundled = r.boolean("bundled");
  const auto paper_models = r.strings("paper_models", model_shape_preset_names());
  const double paper_bpw = r.number("paper_bytes_per_weight", 0.01, 8);
  const double paper_ms = r.number("paper_1dev_7b_ms", 0.001, 1e7);
  const double memory = p.device_memory_gb * 1e9;

  ExperimentOutput out;
  std::vector<LatencyRow> rows;
  std::vector<std::string> models;
  std::map<std::string, std::string> part;
  std::map<std::string, std::pair<ModelShape, DeviceProfile>> setup;  // per model: shape, device
  BundledMeasurement bm;
  if (bundled) {
    bm = measure_bundled(r, p.devices, progress, 0.9);
    // The bundled model is tiny: give it the memory it needs so no split is "too big".
    const DeviceProfile dev = calibrated_device(bm.shape, bm.s_per_token, std::max(memory, 2 * bm.shape.total_weight_bytes()));
    auto v = latency_sweep(bm.shape, dev, p);
    rows.insert(rows.end(), v.begin(), v.end());
    models.push_back(bm.shape.name);
    part[bm.shape.name] = "bundled";
    setup[bm.shape.name] = {bm.shape, dev};
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
  if (progress) progress(0.9, "latency model");
  std::string ref_model;
  DeviceProfile paper_dev;
  if (!paper_models.empty()) {
    // One device type for all paper models: LLaMA2-7B on it takes the paper's 1-device time.
    const ModelShape ref = model_shape_preset("llama2-7b", paper_bpw);
    paper_dev = calibrated_device(ref, paper_ms * 1e-3, memory);
    for (const auto& m : paper_models) {
      const ModelShape shape = model_shape_preset(m, paper_bpw);
      auto v = latency_sweep(shape, paper_dev, p);
      rows.insert(rows.end(), v.begin(), v.end());
      models.push_back(shape.name);
      part[shape.name] = "paper";
      setup[shape.name] = {shape, paper_dev};
    }
    out.results["paper_device"] = {
        {"calibrated_on", "llama2-7b"},
        {"ms_per_token_1_device", paper_ms},
        {"bytes_per_weight", paper_bpw},
        {"effective_bandwidth_gbs", paper_dev.mem_bandwidth_bytes_per_s / 1e9},
        {"memory_gb", p.device_memory_gb}};
  }

  // The record: one row per (model, N, scheme).
  Table t({"part", "model", "devices", "scheme", "fits_memory", "compute_ms", "comm_ms", "total_ms",
           "per_allreduce_us", "uplink_us", "downlink_us", "allreduces_per_token", "speedup_vs_first_n",
           "measured_compute_ms", "paper_table1_ms"});
  for (const auto& m : models) {
    const auto table1 = paper_table1(m);
    for (auto scheme : p.schemes) {
      double first = kNaN;
      for (int n : p.devices) {
        const LatencyRow* row = find_row(rows, m, n, scheme);
        const double tot = total_ms(row);
        if (std::isnan(first) && std::isfinite(tot)) first = tot;
        double measured = kNaN;
        if (part[m] == "bundled" && bm.split_ms.count(n)) measured = bm.split_ms[n];
        double paper = kNaN;
        if (scheme == AllReduceScheme::AirComp)
          for (const auto& [pn, pv] : table1)
            if (pn == n) paper = pv;
        const auto& ar = row->latency.per_allreduce;
        t.add_row({part[m], m, static_cast<double>(n), std::string(scheme_name(scheme)), row->fits ? 1.0 : 0.0,
                   ms_or_nan(row, &TokenLatency::compute_s), ms_or_nan(row, &TokenLatency::comm_s), tot,
                   1e6 * ar.total_s(), 1e6 * ar.uplink_s, 1e6 * ar.downlink_s,
                   static_cast<double>(row->latency.allreduces), first / tot, measured, paper});
      }
    }
  }
  out.tables.emplace_back(name, t);

  // Wide tables for the figures.
  auto wide = [&](const std::string& which) {
    std::vector<std::string> cols{"devices"};
    for (const auto& m : models) {
      if (part[m] != which) continue;
      cols.push_back(m + "_compute_ms");
      if (which == "bundled") cols.push_back(m + "_measured_compute_ms");
      if (which == "paper") cols.push_back(m + "_paper_ms");
      for (auto s : p.schemes) {
        cols.push_back(fmt::format("{}_{}_total_ms", m, scheme_name(s)));
        cols.push_back(fmt::format("{}_{}_comm_ms", m, scheme_name(s)));
      }
    }
    Table w(cols);
    for (int n : p.devices) {
      std::vector<Table::Cell> row{static_cast<double>(n)};
      for (const auto& m : models) {
        if (part[m] != which) continue;
        row.push_back(ms_or_nan(find_row(rows, m, n, p.schemes.front()), &TokenLatency::compute_s));
        if (which == "bundled") row.push_back(bm.split_ms.count(n) ? bm.split_ms[n] : kNaN);
        if (which == "paper") {
          double v = kNaN;
          for (const auto& [pn, pv] : paper_table1(m))
            if (pn == n) v = pv;
          row.push_back(v);
        }
        for (auto s : p.schemes) {
          const LatencyRow* lr = find_row(rows, m, n, s);
          row.push_back(total_ms(lr));
          // Log-scale axis: an exact link's 0 ms is left out.
          const double c = ms_or_nan(lr, &TokenLatency::comm_s);
          row.push_back(c > 0 ? c : kNaN);
        }
      }
      w.add_row(std::move(row));
    }
    return w;
  };

  // Key numbers: AirComp vs digital at the largest N, speed-up over N, comparison with Table I.
  const int nmax = *std::max_element(p.devices.begin(), p.devices.end());
  // The broadcast of the result is common to both wireless schemes and dilutes their ratio; the
  // paper's figures may not count it (paper.md 2), so also give the ratio without it.
  auto no_broadcast_ratio = [&](const std::string& m) -> json {
    LatencySweepParams q = p;
    q.broadcast = false;
    q.devices = {nmax};
    q.schemes = {AllReduceScheme::AirComp, AllReduceScheme::DigitalOfdma};
    const auto& [shape, dev] = setup.at(m);
    const auto v = latency_sweep(shape, dev, q);
    return json_number(v[1].latency.total_s() / v[0].latency.total_s());
  };
  json per_model = json::object();
  for (const auto& m : models) {
    json jm = {{"part", part[m]}};
    const LatencyRow* air = find_row(rows, m, nmax, AllReduceScheme::AirComp);
    const LatencyRow* dig = find_row(rows, m, nmax, AllReduceScheme::DigitalOfdma);
    const LatencyRow* mesh = find_row(rows, m, nmax, AllReduceScheme::EthernetMesh);
    if (air && dig) {
      jm[fmt::format("aircomp_over_digital_total_at_n{}", nmax)] = json_number(total_ms(dig) / total_ms(air));
      jm[fmt::format("aircomp_over_digital_comm_at_n{}", nmax)] =
          json_number(dig->latency.comm_s / air->latency.comm_s);
      jm[fmt::format("aircomp_over_digital_uplink_at_n{}", nmax)] =
          json_number(dig->latency.per_allreduce.uplink_s / air->latency.per_allreduce.uplink_s);
      jm[fmt::format("aircomp_over_digital_total_at_n{}_without_broadcast", nmax)] = no_broadcast_ratio(m);
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
    for (int n : p.devices) {
      const double v = total_ms(find_row(rows, m, n, AllReduceScheme::AirComp));
      if (std::isfinite(v)) { first_ms = v; first_n = n; break; }
    }
    if (air && first_n) {
      jm["aircomp_speedup"] = {{"from_n", first_n}, {"to_n", nmax}, {"ours", first_ms / total_ms(air)}};
      const auto t1 = paper_table1(m);
      double pf = kNaN, pl = kNaN;
      for (const auto& [pn, pv] : t1) {
        if (pn == first_n) pf = pv;
        if (pn == nmax) pl = pv;
      }
      if (std::isfinite(pf) && std::isfinite(pl)) jm["aircomp_speedup"]["paper_table1"] = pf / pl;
      json cmp = json::array();
      for (const auto& [pn, pv] : t1) {
        const LatencyRow* ar = find_row(rows, m, pn, AllReduceScheme::AirComp);
        if (ar) cmp.push_back({{"devices", pn}, {"paper_ms", json_number(pv)}, {"ours_ms", json_number(total_ms(ar))}});
      }
      if (!cmp.empty()) jm["table1"] = cmp;
    }
    per_model[m] = jm;
  }
  out.results["models"] = per_model;

  // AirComp's communication per all-reduce does not depend on N (paper.md T6).
  out.notes = {
      "Latency model (sim/latency.h): per token 2 x n_layers all-reduces of d values; compute steps paced by the "
      "slowest device, no overlap of compute and communication; compute of a share = max(FLOPs/F, bytes/bandwidth).",
      "AirComp: ceil(d / (2 L)) channel uses at B = " + fmt::format("{:g}", p.bandwidth_mhz) +
          " MHz (two reals per complex symbol, L = 4 streams), independent of N. Digital: 8-bit values over OFDMA, "
          "each device on B/N with its MIMO capacity (harmonic mean over 64 channel realizations). Both then "
          "broadcast the 16-bit result from the server (30 dBm) " +
          std::string(p.broadcast ? "(counted)." : "(not counted)."),
      "Ethernet mesh: distributed-llama's all-to-all of Q80 partials at " + fmt::format("{:g}", p.ethernet_gbps) +
          " Gbit/s per node (N-1 copies serialised on each NIC). Exact: an ideal zero-time link.",
      fmt::format("Paper sizes: one device type, calibrated so that LLaMA2-7B ({} bytes/weight, Q4_0 as in "
                  "distributed-llama) decodes in {:g} ms/token on one device, the paper's Table I value; the other "
                  "models follow from their weight bytes. Devices hold {:g} GB (a share that does not fit is "
                  "reported as NaN, like the paper's N/A).",
                  paper_bpw, paper_ms, p.device_memory_gb)};
  if (bundled)
    out.notes.push_back(fmt::format(
        "Bundled model: compute calibrated from its decode measured on this machine with one device ({:.3f} "
        "ms/token{}, fastest of the repetitions: the machine is shared); measured_compute_ms is the in-process "
        "tensor-parallel run with N devices (slowest device per step, measured the same way), which also pays "
        "thread-pool and synchronisation overheads the model does not.",
        1e3 * bm.s_per_token, r.number("measured_ms_per_token", 0, 1e6) > 0 ? ", given" : ", run_bench"));

  auto plot_lines = [&](const std::string& csv, const std::string& m, bool comm) {
    std::string s;
    int lc = 1;
    for (auto sc : p.schemes) {
      ++lc;
      if (comm && sc == AllReduceScheme::Exact) continue;
      s += fmt::format("{}'{}' using 'devices':'{}_{}_{}_ms' with linespoints lw 2 pt {} {} title '{}'",
                       s.empty() ? "" : ", \\\n  ", csv, m, scheme_name(sc), comm ? "comm" : "total", 5 + lc,
                       series_color(lc - 2), scheme_label(sc));
    }
    return s;
  };
  if (bundled) {
    const std::string stem = name + "-bundled", csv = stem + ".csv";
    out.tables.emplace_back(stem, wide("bundled"));
    GnuplotFigure f;
    f.name = stem;
    f.width = 1200;
    f.height = 520;
    const std::string& m = bm.shape.name;
    std::string measured =
        bm.split_ms.empty()
            ? std::string()
            : fmt::format(", \\\n  '{}' using 'devices':'{}_measured_compute_ms' with points pt 4 ps 1.5 lc rgb "
                          "'#000000' title 'compute, measured in-process'",
                          csv, m);
    // Head room above the data for the key.
    double ymax = 0;
    for (const auto& r : rows)
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
        m, bm.shape.n_layers, bm.shape.dim, ymax, plot_lines(csv, m, false), csv, m, measured, plot_lines(csv, m, true));
    out.figures.push_back(f);
  }
  if (!paper_models.empty()) {
    const std::string stem = name + "-paper", csv = stem + ".csv";
    out.tables.emplace_back(stem, wide("paper"));
    GnuplotFigure f;
    f.name = stem;
    const int n = static_cast<int>(paper_models.size());
    const int cols = n == 1 ? 1 : 2, rws = (n + 1) / 2;
    f.width = 600 * cols;
    f.height = 420 * rws + 40;
    std::string body = fmt::format(
        "set multiplot layout {},{} title 'Paper model sizes (compute: LLaMA2-7B = {:g} ms/token on one device): "
        "per-token latency vs devices'\n"
        "set xlabel 'devices N'\nset ylabel 'ms per token'\nset key top right font ',8'\nset yrange [0:*]\n",
        rws, cols, paper_ms);
    for (const auto& mn : paper_models) {
      const std::string m = model_shape_preset(mn).name;
      std::string extra;
      if (!paper_table1(m).empty())
        extra = fmt::format(", \\\n  '{}' using 'devices':'{}_paper_ms' with points pt 5 ps 1.5 lc rgb '#000000' "
                            "title 'paper Table I (AirComp)'",
                            csv, m);
      body += fmt::format(
          "set title '{}'\nplot {}, \\\n  '{}' using 'devices':'{}_compute_ms' with lines dt 2 lw 2 lc rgb "
          "'#000000' title 'compute'{}\n",
          m, plot_lines(csv, m, false), csv, m, extra);
    }
    f.body = body + "unset multiplot";
    out.figures.push_back(f);
  }
  if (progress) progress(1.0, "done");
  return out;
}

}  // namespace

ExperimentSpec latency_experiment_spec() {
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
  s.run = run_latency;
  return s;
}

}  // namespace airtp
