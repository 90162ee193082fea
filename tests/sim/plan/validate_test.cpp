#include "sim/plan/validate.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/sim/scenario_text.h"
#include "tests/sim/test_paths.h"

namespace moeplan::plan {
namespace {

using test::base_scenario;
using test::check_text;
using test::has_error;
using test::replace;

TEST(ValidatePlan, PipelineStagesMustDivideLayers) {
  const auto c = check_text(replace(base_scenario(), "  layers_per_stage: [3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]\n", ""));
  EXPECT_TRUE(has_error(c, "plan.pp", "do not divide the model's 61 layers"));
}

TEST(ValidatePlan, LayersPerStageMustHaveOneEntryPerStageSummingToTheLayers) {
  const auto c = check_text(replace(base_scenario(), "[3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]",
                                    "[4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2]"));
  EXPECT_TRUE(has_error(c, "plan.layers_per_stage", "16 entries summing to 62; expected 16 entries"));
}

TEST(ValidatePlan, ExpertParallelismMustDivideExperts) {
  auto yaml = replace(base_scenario(), "  ep: 64", "  ep: 48");
  yaml = replace(yaml, "  dp: 128", "  dp: 96");
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan.ep", "must divide the 256 routed experts"));
}

TEST(ValidatePlan, RanksMustMatchTheTopologyGpus) {
  const auto c = check_text(replace(base_scenario(), "  dp: 128", "  dp: 64"));
  EXPECT_TRUE(has_error(c, "plan.pp", "the topology"));
  EXPECT_TRUE(has_error(c, "plan.pp", "has 2048 GPUs"));
}

TEST(ValidatePlan, RefusesAPlanThatDoesNotFitMemory) {
  auto yaml = replace(base_scenario(), "  ep: 64", "  ep: 1");  // every rank holds all 256 experts
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan", "does not fit in memory"));
}

// The EP32 variant is the planner's answer that EP64 was needed: with twice
// the experts per GPU, DualPipe's P+1 activations no longer fit an H800.
TEST(ValidatePlan, DeepSeekEp32VariantDoesNotFitAnH800) {
  Diagnostics diag;
  const auto path = test::source_path("scenarios/deepseek-v3-pretrain-2048xH800-ep32.yaml");
  auto sc = config::load_scenario(path, diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_FALSE(validate_plan(sc, diag).has_value());
  ASSERT_EQ(diag.size(), 1u);
  EXPECT_NE(diag.items()[0].message.find("does not fit in memory"), std::string::npos) << diag.to_string();
}

TEST(ValidatePlan, RefusesTensorParallelismForTraining) {
  auto yaml = replace(base_scenario(), "  dp: 128", "  dp: 64\n  tp: 2");
  yaml = replace(yaml, "  ep: 64", "  ep: 32");
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan.tp", "2: tensor parallelism is not modelled yet; use tp: 1"));
}

std::string serving_tp4() { return test::bundled_scenario_text("scenarios/deepseek-v3-serve-prefill-tp4.yaml"); }

TEST(ValidatePlan, ServingTensorParallelPrefillValidates) {
  const auto c = check_text(serving_tp4());
  EXPECT_TRUE(c.diag.empty()) << c.diag.to_string();
}

TEST(ValidatePlan, ServingTensorParallelGroupMustDivideTheGpusPerNode) {
  auto yaml = replace(serving_tp4(), "  dp: 8\n", "  dp: 2\n");
  yaml = replace(yaml, "  tp: 4 ", "  tp: 16 ");
  const auto c = check_text(yaml);
  EXPECT_TRUE(has_error(c, "plan.tp", "tp = 16 must divide the 8 GPUs per node"));
  EXPECT_EQ(c.diag.size(), 1u) << c.diag.to_string();  // the sizes multiply to 32 and divide the heads
}

TEST(ValidatePlan, ServingExpertParallelismMustDivideTheUnitsGpus) {
  const auto c = check_text(replace(serving_tp4(), "  ep: 32", "  ep: 64"));
  EXPECT_TRUE(has_error(c, "plan.ep", "ep = 64 must divide dp x tp = 8 x 4 = 32 GPUs"));
}

TEST(ValidatePlan, DispatchedSharedExpertIsForServingAndAtMostTheExpertParallelGroup) {
  const auto training = check_text(base_scenario() + "placement:\n  policy: eplb\n  shared_expert_gpus: 8\n");
  EXPECT_TRUE(has_error(training, "placement.shared_expert_gpus", "modelled for serving only"));
  const auto too_many = check_text(
      replace(serving_tp4(), "  redundant_experts: 32\n", "  redundant_experts: 32\n  shared_expert_gpus: 64\n"));
  EXPECT_TRUE(has_error(too_many, "placement.shared_expert_gpus", "64 GPUs for the shared expert, but the "
                                                                   "expert-parallel group has 32; use 1 to 32"));
  EXPECT_TRUE(check_text(replace(serving_tp4(), "  redundant_experts: 32\n",
                                         "  redundant_experts: 32\n  shared_expert_gpus: 32\n"))
                  .diag.empty());
}

// The request stream spreads requests over attention ranks: GPUs, or TP groups in either pool.
TEST(ValidatePlan, RequestStreamTakesTensorParallelPools) {
  const auto day = test::bundled_scenario_text("scenarios/deepseek-v3-serve-day.yaml");
  const auto prefill_tp4 = test::source_path("scenarios/deepseek-v3-serve-prefill-tp4.yaml");
  auto both_tp4 = replace(day, "prefill: deepseek-v3-serve-prefill-ep32.yaml", "prefill: " + prefill_tp4);
  both_tp4 = replace(both_tp4, "  dp: 144\n", "  dp: 36\n");
  both_tp4 = replace(both_tp4, "  tp: 1\n", "  tp: 4\n");
  both_tp4 = replace(both_tp4, "  batch: 128 ", "  batch: 32 ");  // the TP4 group's cache is on each of its GPUs
  const auto c = check_text(both_tp4);
  EXPECT_TRUE(c.diag.empty()) << c.diag.to_string();
}

TEST(ValidatePlan, EveryOtherBundledScenarioValidates) {
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::source_path("scenarios"))) {
    if (e.path().extension() != ".yaml") continue;
    if (e.path().filename() == "deepseek-v3-pretrain-2048xH800-ep32.yaml") continue;  // see the test above
    Diagnostics diag;
    auto sc = config::load_scenario(e.path().string(), diag);
    ASSERT_TRUE(diag.empty()) << e.path() << "\n" << diag.to_string();
    EXPECT_TRUE(validate_plan(sc, diag).has_value()) << e.path() << "\n" << diag.to_string();
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

// The derived plan of the bundled default: PP16 x DP128 with EP64, the
// stages as listed (3 layers first, 2 last), and a peak that fits 80 GB.
TEST(ValidatePlan, DerivesTheLayoutAndStagesOfAValidPlan) {
  Diagnostics diag;
  auto sc = config::load_scenario(test::source_path("scenarios/deepseek-v3-pretrain-2048xH800.yaml"), diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  const auto vp = validate_plan(sc, diag);
  ASSERT_TRUE(vp) << diag.to_string();
  EXPECT_EQ(vp->layout.world(), 2048);
  EXPECT_EQ(vp->layout.ep, 64);
  ASSERT_EQ(vp->layers.stages(), 16);
  EXPECT_EQ(vp->layers.layers.front(), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(vp->layers.layers[1], (std::vector<int>{3, 4, 5, 6}));
  EXPECT_EQ(vp->layers.layers.back(), (std::vector<int>{59, 60}));
  EXPECT_GT(vp->peak_memory.total_bytes(), 0.0);
  EXPECT_LE(vp->peak_memory.total_bytes(), sc.gpu.hbm_bytes);
}

}  // namespace
}  // namespace moeplan::plan
