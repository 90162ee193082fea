#include "sim/workload/train_step.h"

#include <gtest/gtest.h>
#include <map>

#include "sim/program/program_json.h"
#include "tests/sim/test_paths.h"

namespace moeplan::workload {
namespace {

using program::OpType;
using program::Part;
using program::Pass;

struct Built {
  config::Scenario sc;
  plan::ValidatedPlan vp;
  program::Program p;
};

Built build(const std::string& rel, bool reduced) {
  Built b;
  Diagnostics diag;
  b.sc = config::load_scenario(test::source_path(rel), diag);
  auto vp = plan::validate_plan(b.sc, diag);
  EXPECT_TRUE(diag.empty()) << diag.to_string();
  b.vp = *vp;
  b.p = build_train_step(b.sc, b.vp, {.reduced = reduced});
  return b;
}

// Every token's k expert copies are computed once forward, once input-grad
// and once weight-grad: 2 * tokens * k * 3 * hidden * moe_intermediate FLOPs
// per MoE layer and pass, over the whole cluster.
TEST(TrainStep, RoutedExpertFlopsMatchTheClosedForm) {
  const auto b = build("scenarios/small-moe-64xH800.yaml", false);
  const auto& m = b.sc.model;
  std::map<Pass, double> flops;
  for (const auto& op : b.p.ops)
    if (op.type == OpType::Compute && op.part == Part::RoutedExperts) flops[op.pass] += op.flops;
  const double expected = 2.0 * static_cast<double>(b.sc.tokens_per_step()) * m.experts_per_token * 3.0 * m.hidden *
                          m.moe_intermediate * m.moe_layers();
  for (auto pass : {Pass::F, Pass::Bi, Pass::W}) EXPECT_NEAR(flops[pass], expected, expected * 1e-9);
}

// Each rank runs the forward and backward of each of its micro-batches for
// every layer it holds; all-to-alls come in matched groups.
TEST(TrainStep, EveryRankRunsEveryMicroBatchOnce) {
  const auto b = build("scenarios/small-moe-64xH800.yaml", false);
  std::map<std::tuple<int, Pass, int>, int> attention;  // (rank, pass, mb) -> layers
  std::map<int, int> members;
  for (const auto& op : b.p.ops) {
    if (op.type == OpType::Compute && op.part == Part::Attention) ++attention[{op.rank, op.pass, op.microbatch}];
    if (op.type == OpType::Collective) ++members[op.instance];
  }
  const int layers_per_stage = b.sc.model.layers / b.sc.plan.pp;
  EXPECT_EQ(attention.size(), static_cast<std::size_t>(b.sc.gpus() * 3 * b.sc.microbatches()));
  for (const auto& [k, n] : attention) EXPECT_EQ(n, layers_per_stage);
  for (const auto& [inst, n] : members) EXPECT_TRUE(n == b.sc.plan.ep || n == b.sc.plan.dp / b.sc.plan.ep || n == b.sc.plan.dp);
}

TEST(TrainStep, ReducedProgramHoldsOnePipeline) {
  const auto b = build("scenarios/deepseek-v3-pretrain-2048xH800.yaml", true);
  EXPECT_TRUE(b.p.reduced);
  EXPECT_EQ(b.p.replicas, 128);
  const auto held = b.p.present_ranks();
  ASSERT_EQ(held.size(), 16u);
  for (std::size_t s = 0; s < held.size(); ++s) EXPECT_EQ(held[s], static_cast<int>(s) * 128);
}

TEST(ProgramJson, RoundTripsExactly) {
  const auto b = build("scenarios/small-moe-64xH800.yaml", false);
  const auto back = program::program_from_json(nlohmann::json::parse(program::to_json(b.p).dump()));
  EXPECT_EQ(back, b.p);
}

TEST(ProgramJson, RejectsAForeignFileWithAClearMessage) {
  try {
    program::program_from_json(nlohmann::json{{"hello", 1}});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a moeplan program"), std::string::npos);
  }
}

}  // namespace
}  // namespace moeplan::workload
