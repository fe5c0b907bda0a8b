// airtp assign: how much of the model each device holds (long timescale), by stochastic SCA
// over channel samples, compared with the uniform / compute / memory-proportional baselines.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "model/model.h"
#include "perfmodel/scenario_assignment.h"
#include "util/parameter_error.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string scenario = "paper-heterogeneous";
  std::string model_shape;  // preset name; or
  std::string model_path;   // a model file whose shape to use
  std::string method = "ssca";
  std::string out;
  int iterations = 500;
  int samples = 100;
  int randomizations = 30;
  bool compare = true;
  bool json = false;
};

int run(const Options& o) {
  if (!o.model_shape.empty() && !o.model_path.empty())
    throw ParameterError("model_shape", fmt::format("'{}' and --model '{}' both give the model's shape; give one",
                                                    o.model_shape, o.model_path));
  Scenario s = resolve_scenario(o.scenario);
  if (!o.model_shape.empty()) s.set_model(model_shape_preset(o.model_shape, s.model.bytes_per_weight));
  if (!o.model_path.empty()) {
    const Model m = load_model(o.model_path);
    s.set_model(model_shape_of(m));
  }
  if (o.iterations < 1 || o.iterations > 100000)
    throw ParameterError("iterations", fmt::format("{} is outside 1..100000", o.iterations));
  if (o.randomizations < 0 || o.randomizations > 100000)
    throw ParameterError("randomizations", fmt::format("{} is outside 0..100000", o.randomizations));
  if (o.samples < 1 || o.samples > 100000) throw ParameterError("samples", fmt::format("{} is outside 1..100000", o.samples));
  AssignOptions opt;
  opt.method = parse_assign_method(o.method);
  opt.eval_samples = o.samples;
  opt.ssca.max_iterations = o.iterations;
  opt.ssca.min_iterations = std::min(opt.ssca.min_iterations, o.iterations);
  opt.ssca.solver = scenario_solver(s, o.randomizations);
  const auto main = assign_model(s, opt);
  std::vector<AssignmentOutcome> others;
  if (o.compare)
    for (auto m : {AssignMethod::Uniform, AssignMethod::ComputeProportional, AssignMethod::MemoryProportional})
      if (m != main.method) others.push_back(evaluate_assignment(s, baseline_shares(s, m), opt, m));

  auto j = assignment_to_json(s, main, true);
  if (!o.out.empty()) write_assignment_json(o.out, j);
  if (o.json) {
    j["baselines"] = nlohmann::json::array();
    for (const auto& b : others) j["baselines"].push_back(assignment_to_json(s, b, false));
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("scenario %s: %d device%s, model %s (%d layers, d=%d)\n", s.name.c_str(), s.n_devices(), s.n_devices() == 1 ? "" : "s", s.model.name.c_str(),
              s.model.n_layers, s.model.dim);
  std::printf("%-10s %10s %12s %12s %10s\n", "device", "share", "GFLOP/s", "GB/s", "dist (m)");
  for (int d = 0; d < s.n_devices(); ++d) {
    const auto& dev = s.devices[static_cast<size_t>(d)];
    std::printf("%-10s %10.4f %12.1f %12.1f %10.1f\n", dev.name.c_str(), main.shares[static_cast<size_t>(d)],
                dev.flops_per_s / 1e9, dev.mem_bandwidth_bytes_per_s / 1e9, dev.distance_m);
  }
  auto line = [&](const AssignmentOutcome& a) {
    std::printf("%-10s expected MSE %.5g (+/- %.2g)   latency %.2f ms/token (compute %.2f, comm %.2f)\n",
                to_string(a.method).c_str(), a.mse.mean, a.mse.std_error, 1e3 * a.latency.total_s(), 1e3 * a.latency.compute_s,
                1e3 * a.latency.comm_s);
  };
  std::printf("\n");
  line(main);
  for (const auto& b : others) line(b);
  if (main.ssca)
    std::printf("\nSSCA: %d iterations, %s, running MSE %.5g\n", main.ssca->iterations,
                main.ssca->converged ? "converged" : "stopped at --iterations", main.ssca->running_mse);
  if (!o.out.empty()) std::printf("wrote %s (use: airtp generate --shares-from %s ...)\n", o.out.c_str(), o.out.c_str());
  return 0;
}

const Register reg{{"assign", "Optimize how much of each layer every device holds (stochastic SCA) vs baselines",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      app.add_option("--scenario", o->scenario, "Scenario preset (paper-heterogeneous, paper-homogeneous-N) or JSON file")->capture_default_str();
                      add_parameter(app, "--model-shape", "model_shape", o->model_shape,
                                    "Model shape preset: llama2-7b, llama2-13b, llama2-70b, llama3-8b, llama3-70b");
                      app.add_option("-m,--model", o->model_path, "Take the model shape from this model file");
                      app.add_option("--method", o->method, "ssca | uniform | compute | memory")->capture_default_str();
                      app.add_option("-o,--out", o->out, "Write the assignment JSON here (for --shares-from)");
                      add_parameter(app, "--iterations", "iterations", o->iterations, "SSCA iterations at most", "1..100000")->capture_default_str();
                      add_parameter(app, "--samples", "samples", o->samples, "Channel realizations for the expected MSE", "1..100000")->capture_default_str();
                      add_parameter(app, "--randomizations", "randomizations", o->randomizations,
                                    "SDR Gaussian randomization candidates per design", "0..100000")->capture_default_str();
                      app.add_flag("!--no-compare", o->compare, "Skip evaluating the baselines");
                      app.add_flag("--json", o->json, "Print one JSON document");
                      return [o] { return run(*o); };
                    }}};

}  // namespace
}  // namespace airtp::cli
