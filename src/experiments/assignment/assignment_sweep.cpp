#include "experiments/assignment/assignment_experiment.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "perfmodel/scenario.h"

namespace airtp {

using nlohmann::json;

AssignmentExperimentResult run_assignment_experiment(const AssignmentExperimentParams& p,
                                                     const ExperimentProgress& progress) {
  if (p.methods.empty()) throw std::invalid_argument("assignment: no method");
  const Scenario s = resolve_scenario(p.scenario);
  // Cost units: one short-timescale design per SSCA iteration or evaluation sample.
  double total = 0;
  for (auto m : p.methods) total += p.options.eval_samples + (m == AssignMethod::Ssca ? p.options.ssca.max_iterations : 0);
  double done = 0;
  AssignmentExperimentResult res;
  for (auto m : p.methods) {
    if (m == AssignMethod::Ssca) {
      // run_ssca directly (not assign_model) so that each channel draw can advance the bar.
      const AssignmentProblem problem = assignment_problem(s);
      SscaOptions so = p.options.ssca;
      so.solver.n_streams = s.radio().n_streams;
      const ChannelSampler draw = scenario_sampler(s, p.options.train_first_block);
      const ChannelSampler sampler = [&](int t) {
        if (progress) progress((done + t) / total, fmt::format("SSCA iteration {}", t));
        return draw(t);
      };
      SscaResult r = run_ssca(problem, sampler, so);
      done += so.max_iterations;
      if (progress) progress(done / total, "evaluating ssca");
      AssignmentOutcome o = evaluate_assignment(s, r.shares, p.options, AssignMethod::Ssca);
      o.ssca = std::move(r);
      res.outcomes.push_back(std::move(o));
    } else {
      if (progress) progress(done / total, "evaluating " + to_string(m));
      res.outcomes.push_back(evaluate_assignment(s, baseline_shares(s, m), p.options, m));
    }
    done += p.options.eval_samples;
  }
  if (progress) progress(1.0, "done");
  return res;
}

}  // namespace airtp
