// assignment at smoke sizes: SSCA's assignment is feasible and at least as good as uniform on the
// common evaluation channels; baselines follow their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "experiments/assignment/assignment_experiment.h"
#include "perfmodel/scenario.h"

using namespace airtp;

TEST(ExperimentAssignment, SscaAtLeastAsGoodAsUniform) {
  AssignmentExperimentParams p;
  p.options.ssca.max_iterations = 30;
  p.options.ssca.min_iterations = 30;
  p.options.ssca.solver.options.n_randomizations = 5;
  p.options.eval_samples = 8;
  const auto r = run_assignment_experiment(p);
  ASSERT_EQ(r.outcomes.size(), 4u);
  const Scenario s = resolve_scenario(p.scenario);
  const AssignmentProblem problem = assignment_problem(s);
  const AssignmentOutcome *ssca = nullptr, *uniform = nullptr, *compute = nullptr;
  for (const auto& o : r.outcomes) {
    SCOPED_TRACE(to_string(o.method));
    EXPECT_EQ(problem.violation(o.shares, 1e-9), "");
    EXPECT_NEAR(std::accumulate(o.shares.begin(), o.shares.end(), 0.0), 1.0, 1e-9);
    EXPECT_EQ(o.mse.per_sample.size(), 8u);
    if (o.method == AssignMethod::Ssca) ssca = &o;
    if (o.method == AssignMethod::Uniform) uniform = &o;
    if (o.method == AssignMethod::ComputeProportional) compute = &o;
  }
  ASSERT_TRUE(ssca && uniform && compute);
  ASSERT_TRUE(ssca->ssca.has_value());
  EXPECT_EQ(ssca->ssca->trace.size(), 30u);
  EXPECT_LE(ssca->mse.mean, uniform->mse.mean);
  for (double m : uniform->shares) EXPECT_NEAR(m, 0.25, 1e-12);
  // Compute-proportional on the x1..x4 devices: 0.1, 0.2, 0.3, 0.4 (no bound cuts it here).
  ASSERT_TRUE(problem.is_feasible(std::vector<double>{0.1, 0.2, 0.3, 0.4}));
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(compute->shares[static_cast<size_t>(n)], 0.1 * (n + 1), 1e-9);
}

TEST(ExperimentAssignment, SpecTablesAndBadParameters) {
  const auto& spec = find_experiment("assignment");
  auto params = overlay_params(spec.defaults, spec.smoke, "--smoke");
  params = overlay_params(params, {{"methods", {"uniform", "memory"}}}, "test");
  const auto out = spec.run(params, {});
  ASSERT_EQ(out.tables.size(), 1u);  // no SSCA, no trace table
  EXPECT_EQ(out.tables[0].second.rows().size(), 2u);
  EXPECT_NEAR(out.tables[0].second.number(0, "gain_vs_uniform_db"), 0.0, 1e-12);
  auto bad = overlay_params(params, {{"gradient", "dual"}, {"design", "mmse"}}, "test");
  EXPECT_THROW(spec.run(bad, {}), std::invalid_argument);
  bad = overlay_params(params, {{"methods", {"ssca", "random"}}}, "test");
  EXPECT_THROW(spec.run(bad, {}), std::invalid_argument);
}
