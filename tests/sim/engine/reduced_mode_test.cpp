// Reduced mode (one pipeline held, collectives replayed from isolated
// measurements) against full mode (every rank and flow) on 64 GPUs.
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/sim/test_paths.h"

namespace moeplan {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double step_time(const std::string& tag, const std::string& routing, const std::string& mode) {
  const auto dir = std::string(::testing::TempDir());
  auto yaml = read(test::source_path("scenarios/small-moe-64xH800.yaml"));
  yaml = std::regex_replace(yaml, std::regex(R"(\.\./)"), test::source_path(""));
  yaml = std::regex_replace(yaml, std::regex("  mode: full"), "  mode: " + mode + "\n" + routing);
  const auto base = dir + "/moeplan-rvf-" + tag + "-" + mode;
  const auto scenario = base + ".yaml", report = base + ".json";
  std::ofstream(scenario) << yaml;
  const auto cmd = test::binary_path("moeplan") + " simulate -q " + scenario + " --report " + report + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return nlohmann::json::parse(read(report)).at("step_time_s").get<double>();
}

TEST(ReducedMode, AgreesWithFullModeWithinTwoPercentOnBalancedRouting) {
  const std::string routing = "routing: {distribution: uniform, seed: 3}";
  const double full = step_time("balanced", routing, "full"), reduced = step_time("balanced", routing, "reduced");
  EXPECT_NEAR(reduced, full, 0.02 * full);
}

// Skewed routing moves the busiest GPU from layer to layer; replayed
// all-to-alls are timed with members entering staggered as in the step
// (docs/architecture.md). Measured +1.9% at 64 GPUs (+2.3%, +2.9% at 128, 256).
TEST(ReducedMode, AgreesWithFullModeWithinTwoPercentOnSkewedRouting) {
  const std::string routing = "routing: {distribution: zipf, zipf_s: 1.0, seed: 3}";
  const double full = step_time("skewed", routing, "full"), reduced = step_time("skewed", routing, "reduced");
  EXPECT_NEAR(reduced, full, 0.02 * full);
}

}  // namespace
}  // namespace moeplan
