#include "sim/config/scenario.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "sim/plan/validate.h"
#include "tests/sim/test_paths.h"

namespace moeplan::config {
namespace {

namespace fs = std::filesystem;

// A valid small scenario; each test changes one thing.
std::string base_scenario() {
  return "name: t\n"
         "model: " + test::source_path("models/deepseek-v3/config.json") + "\n"
         "hardware: " + test::source_path("hardware/h800.yaml") + "\n"
         "topology: " + test::source_path("topologies/h800-cluster-2048.yaml") + "\n"
         "workload:\n"
         "  kind: training\n"
         "  global_batch: 15360\n"
         "  sequence_length: 4096\n"
         "  micro_batch: 1\n"
         "plan:\n"
         "  pp: 16\n"
         "  dp: 128\n"
         "  ep: 64\n"
         "  schedule: 1f1b\n"
         "  precision: fp8\n"
         "  comm_sms: 20\n"
         "  layers_per_stage: [3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]\n";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

struct Checked {
  std::string path;
  Diagnostics diag;
};

Checked check_text(const std::string& yaml) {
  static int counter = 0;
  Checked c;
  c.path = (fs::temp_directory_path() / ("moeplan-scenario-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + ".yaml")).string();
  std::ofstream(c.path) << yaml;
  auto sc = load_scenario(c.path, c.diag);
  if (c.diag.empty()) plan::validate_plan(sc, c.diag);
  fs::remove(c.path);
  return c;
}

::testing::AssertionResult has_error(const Checked& c, const std::string& field, const std::string& text) {
  for (const auto& d : c.diag.items())
    if (d.field == field && d.message.find(text) != std::string::npos && d.file == c.path && d.line > 0)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no error on " << field << " containing \"" << text << "\" with file and line in:\n"
                                       << c.diag.to_string();
}

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

TEST(ScenarioConfig, PipelineStagesMustDivideLayers) {
  const auto c = check_text(replace(base_scenario(), "  layers_per_stage: [3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]\n", ""));
  EXPECT_TRUE(has_error(c, "plan.pp", "do not divide the model's 61 layers"));
}

TEST(ScenarioConfig, ExpertParallelismMustDivideExperts) {
  auto yaml = replace(base_scenario(), "  ep: 64", "  ep: 48");
  yaml = replace(yaml, "  dp: 128", "  dp: 96");
  yaml = replace(yaml, "  pp: 16", "  pp: 16");
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan.ep", "must divide the 256 routed experts"));
}

TEST(ScenarioConfig, RanksMustMatchTheTopologyGpus) {
  const auto c = check_text(replace(base_scenario(), "  dp: 128", "  dp: 64"));
  EXPECT_TRUE(has_error(c, "plan.pp", "the topology"));
  EXPECT_TRUE(has_error(c, "plan.pp", "has 2048 GPUs"));
}

TEST(ScenarioConfig, RefusesAPlanThatDoesNotFitMemory) {
  auto yaml = replace(base_scenario(), "  ep: 64", "  ep: 1");  // every rank holds all 256 experts
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan", "does not fit in memory"));
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

TEST(ScenarioConfig, EveryBundledScenarioParsesAndValidates) {
  int seen = 0;
  for (const auto& e : fs::directory_iterator(test::source_path("scenarios"))) {
    if (e.path().extension() != ".yaml") continue;
    if (e.path().filename() == "deepseek-v3-pretrain-2048xH800-ep32.yaml") continue;  // see the next test
    Diagnostics diag;
    auto sc = load_scenario(e.path().string(), diag);
    if (diag.empty()) {
      EXPECT_TRUE(plan::validate_plan(sc, diag).has_value());
    }
    EXPECT_TRUE(diag.empty()) << e.path() << "\n" << diag.to_string();
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

// The EP32 variant is the planner's answer that EP64 was needed: with twice
// the experts per GPU, DualPipe's P+1 activations no longer fit an H800.
TEST(ScenarioConfig, DeepSeekEp32VariantDoesNotFitAnH800) {
  Diagnostics diag;
  const auto path = test::source_path("scenarios/deepseek-v3-pretrain-2048xH800-ep32.yaml");
  auto sc = load_scenario(path, diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_FALSE(plan::validate_plan(sc, diag).has_value());
  ASSERT_EQ(diag.size(), 1u);
  EXPECT_NE(diag.items()[0].message.find("does not fit in memory"), std::string::npos) << diag.to_string();
}

TEST(ScenarioConfig, EveryBundledTopologyParses) {
  int seen = 0;
  for (const auto& e : fs::directory_iterator(test::source_path("topologies"))) {
    Diagnostics diag;
    const auto t = topology::load_topology(e.path().string(), diag);
    EXPECT_TRUE(diag.empty()) << e.path() << "\n" << diag.to_string();
    EXPECT_GT(t.topology.gpu_count(), 0) << e.path();
    ++seen;
  }
  EXPECT_GE(seen, 10);
}

}  // namespace
}  // namespace moeplan::config
