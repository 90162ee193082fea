#include "sim/workload/train_step.h"

#include <gtest/gtest.h>
#include <algorithm>
#include <map>

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

// Every token's k expert copies go through the GEMMs once forward, once
// input-grad and once weight-grad: 2 * tokens * k * 3 * hidden * moe_intermediate FLOPs
// per MoE layer and pass, over the whole cluster.
TEST(TrainStep, RoutedExpertFlopsMatchTheClosedForm) {
  const auto b = build("scenarios/small-moe-64xH800.yaml", false);
  const auto& m = b.sc.model;
  std::map<Pass, double> flops;
  for (const auto& op : b.p.ops)
    if (op.type == OpType::Compute && op.part == Part::RoutedExperts)
      for (const auto& g : op.gemms)  // the GEMMs' FLOPs (the op's also count its SwiGLU and casts)
        flops[op.pass] += 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
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

// Compute slot of an op in DeepSeek's F&B order (a = attention side, m = MLP side).
std::string slot_of(const program::Op& op) {
  const bool mlp = op.part == Part::SharedExpert || op.part == Part::RoutedExperts || op.part == Part::DenseFfn;
  const char* side = mlp ? "MLP" : "ATTN";
  return std::string(side) + "-" + std::string(program::to_string(op.pass));
}

// An F&B pair of two chunks of two MoE layers each, full backward: DeepSeek's
// compute order, worked by hand from the repeating slot pattern
//   MLP-B MLP-W MLP-F ATTN-B ATTN-W ATTN-F
// (the forward chunk starts with attention, so the first MLP-F slot is empty):
//   B-chunk layer 1: MLP-B MLP-W . ATTN-B ATTN-W, F-chunk layer 0: ATTN-F
//   B-chunk layer 0: MLP-B MLP-W, F layer 0 MLP-F, B layer 0 ATTN-B ATTN-W, F layer 1 ATTN-F
//   F-chunk layer 1: MLP-F
// and the all-to-alls in order of readiness: combine-B and dispatch-B of
// layer 1, combine-B of layer 0, then DeepSeek's cycle dispatch-F, dispatch-B,
// combine-F (combine-B would follow with more layers), and the last layer's pair.
TEST(TrainStep, DualPipeFAndBInterleavesInDeepSeeksOrder) {
  Built b;
  Diagnostics diag;
  b.sc = config::load_scenario(test::source_path("scenarios/small-moe-64xH800.yaml"), diag);
  b.sc.plan.schedule = schedule::Kind::DualPipe;
  b.sc.model.layers = 8;  // DualPipe: 4 stages of two layers, each rank holds two (one per direction)
  b.sc.model.dense_layers = 0;
  auto vp = plan::validate_plan(b.sc, diag);
  ASSERT_TRUE(vp) << diag.to_string();
  b.p = build_train_step(b.sc, *vp, {.reduced = true});
  const auto& rank_ops = vp->schedule.ranks[0];
  const auto fb = std::find_if(rank_ops.begin(), rank_ops.end(), [](const auto& op) {
    return op.kind == schedule::OpKind::FB && op.full_b;
  });
  ASSERT_NE(fb, rank_ops.end());
  auto in_pair = [&](const program::Op& op) {
    if (op.rank != 0 || op.layer < 0 || op.layer >= b.sc.model.layers) return false;
    const auto& ref = op.pass == Pass::F ? fb->f : fb->b;
    return op.microbatch == ref.mb && op.dir == ref.dir && op.pass != Pass::None;
  };
  std::vector<std::string> slots, comm;
  for (const auto id : b.p.by_rank[0]) {
    const auto& op = b.p.op(id);
    if (!in_pair(op)) continue;
    if (op.type == OpType::Compute) {
      const auto slot = slot_of(op);
      if (slots.empty() || slots.back() != slot) slots.push_back(slot);
    } else if (op.type == OpType::Collective) {
      comm.push_back(std::string(program::to_string(op.part)) + "-" + std::string(program::to_string(op.pass)));
    }
  }
  EXPECT_EQ(slots, (std::vector<std::string>{"MLP-Bi", "MLP-W", "ATTN-Bi", "ATTN-W", "ATTN-F", "MLP-Bi", "MLP-W",
                                             "MLP-F", "ATTN-Bi", "ATTN-W", "ATTN-F", "MLP-F"}));
  EXPECT_EQ(comm, (std::vector<std::string>{"combine-Bi", "dispatch-Bi", "combine-Bi", "dispatch-F", "dispatch-Bi",
                                            "combine-F", "dispatch-F", "combine-F"}));
}

}  // namespace
}  // namespace moeplan::workload
