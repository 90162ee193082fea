#include "sim/config/scenario.h"

#include <filesystem>
#include <gtest/gtest.h>

#include "tests/sim/scenario_text.h"
#include "tests/sim/test_paths.h"

namespace moeplan::config {
namespace {

namespace fs = std::filesystem;
using test::base_scenario;
using test::check_text;
using test::has_error;
using test::replace;

TEST(ScenarioConfig, BaseScenarioIsValid) {
  const auto c = check_text(base_scenario());
  EXPECT_TRUE(c.diag.empty()) << c.diag.to_string();
}

TEST(ScenarioConfig, UnknownKeySuggestsTheClosestField) {
  const auto c = check_text(replace(base_scenario(), "  comm_sms: 20", "  comm_sm: 20"));
  EXPECT_TRUE(has_error(c, "plan.comm_sm", "did you mean \"comm_sms\""));
}

TEST(ScenarioConfig, WrongUnitNamesTheDimensionAndExamples) {
  const auto c = check_text(replace(base_scenario(), "hardware: " + test::source_path("hardware/h800.yaml"),
                                    "hardware:\n  gpu:\n    name: x\n    sms: 132\n    peak: {bf16: 989 GB/s}\n"
                                    "    hbm_bandwidth: 3 TB/s\n    hbm_capacity: 80 GB\n"
                                    "    efficiency:\n      gemm: {value: 0.8, source: a}\n"
                                    "      attention: {value: 0.8, source: a}\n      memory: {value: 0.9, source: a}"));
  EXPECT_TRUE(has_error(c, "hardware.gpu.peak.bf16", "is not a compute rate"));
}

TEST(ScenarioConfig, ReportsEveryErrorAtOnce) {
  auto yaml = replace(base_scenario(), "  comm_sms: 20", "  comm_sms: 200\n  colour: red");
  yaml = replace(yaml, "  sequence_length: 4096", "  sequence_length: long");
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan.colour", "unknown key"));
  EXPECT_TRUE(has_error(c, "workload.sequence_length", "is not an integer"));
  EXPECT_GE(c.diag.size(), 2u);
}

TEST(ScenarioConfig, MissingFileIsNamed) {
  Diagnostics diag;
  load_scenario("/nonexistent/scenario.yaml", diag);
  ASSERT_EQ(diag.size(), 1u);
  EXPECT_NE(diag.items()[0].message.find("does not exist"), std::string::npos);
}

TEST(ScenarioConfig, EveryBundledScenarioParses) {
  int seen = 0;
  for (const auto& e : fs::directory_iterator(test::source_path("scenarios"))) {
    if (e.path().extension() != ".yaml") continue;
    Diagnostics diag;
    load_scenario(e.path().string(), diag);
    EXPECT_TRUE(diag.empty()) << e.path() << "\n" << diag.to_string();
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

TEST(ScenarioConfig, EveryBundledTopologyParses) {
  int seen = 0;
  for (const auto& e : fs::directory_iterator(test::source_path("topologies"))) {
    Diagnostics diag;
    const auto t = config::load_topology(e.path().string(), diag);
    EXPECT_TRUE(diag.empty()) << e.path() << "\n" << diag.to_string();
    EXPECT_GT(t.topology.gpu_count(), 0) << e.path();
    ++seen;
  }
  EXPECT_GE(seen, 10);
}

// Found by the loader fuzz test under UBSan: pp x dp x tp overflowed an int
// before validation compared it with the topology.
TEST(ScenarioConfig, RankCountOfHugePlanSizesDoesNotOverflow) {
  Scenario s;
  s.plan.pp = 2048;
  s.plan.dp = 1 << 20;
  s.plan.tp = 1;
  EXPECT_EQ(s.gpus(), 2048LL << 20);
}

}  // namespace
}  // namespace moeplan::config
