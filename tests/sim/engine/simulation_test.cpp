#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/sim/test_paths.h"

namespace moeplan {
namespace {

nlohmann::json simulate_with_cli(const std::string& scenario, const std::string& report) {
  const auto cmd = test::binary_path("moeplan") + " simulate -q " + test::source_path(scenario) + " --report " + report +
                   " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(report);
  auto j = nlohmann::json::parse(in);
  j.erase("sim_wall_s");  // measurements of the simulator itself, not simulated results
  j.erase("peak_rss_bytes");
  j["engine"].erase("measurement_wall_s");
  j["engine"].erase("step_wall_s");
  return j;
}

TEST(Simulation, TwoRunsOfTheSameScenarioGiveIdenticalReports) {
  const auto dir = std::string(::testing::TempDir());
  const auto a = simulate_with_cli("scenarios/small-moe-64xH800.yaml", dir + "/moeplan-det-a.json");
  const auto b = simulate_with_cli("scenarios/small-moe-64xH800.yaml", dir + "/moeplan-det-b.json");
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_GT(a.at("step_time_s").get<double>(), 0);
}

// DeepSeek's TP4 + SP prefill unit: its attention's all-gathers and
// reduce-scatters run on the TP groups, and the step is deterministic.
TEST(Simulation, TensorParallelPrefillIsDeterministic) {
  const auto dir = std::string(::testing::TempDir());
  const auto a = simulate_with_cli("scenarios/deepseek-v3-serve-prefill-tp4.yaml", dir + "/moeplan-tp-a.json");
  const auto b = simulate_with_cli("scenarios/deepseek-v3-serve-prefill-tp4.yaml", dir + "/moeplan-tp-b.json");
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_GT(a.at("step_time_s").get<double>(), 0);
  EXPECT_GT(a.at("breakdown").at("exposed_tp_s").get<double>(), 0);
}

// The step cannot be shorter than the busiest rank's compute, and the
// time fractions of the breakdown add up to the step.
TEST(Simulation, BreakdownAddsUpToTheStep) {
  const auto r = simulate_with_cli("scenarios/small-moe-64xH800.yaml", std::string(::testing::TempDir()) + "/moeplan-bd.json");
  const auto& b = r.at("breakdown");
  double sum = 0;
  for (const auto& [k, v] : b.items()) sum += v.get<double>();
  EXPECT_NEAR(sum, r.at("step_time_s").get<double>(), 1e-6 * r.at("step_time_s").get<double>());
}

}  // namespace
}  // namespace moeplan
