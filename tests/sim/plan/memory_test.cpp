#include "sim/plan/memory.h"

#include <gtest/gtest.h>

#include "sim/plan/validate.h"
#include "sim/cost/layer_work.h"
#include "tests/sim/test_paths.h"

namespace moeplan::plan {
namespace {

struct Planned {
  config::Scenario sc;
  ValidatedPlan vp;
};

// small-moe-64xH800: 8 layers (layer 0 dense) over PP4 (2 per stage), DP16,
// EP16 over 64 experts (4 per GPU), 1F1B, 8 micro-batches of 2048 tokens,
// FP8 GEMMs, ZeRO-1.
Planned small_moe() {
  Planned p;
  Diagnostics diag;
  p.sc = config::load_scenario(test::source_path("scenarios/small-moe-64xH800.yaml"), diag);
  auto vp = validate_plan(p.sc, diag);
  EXPECT_TRUE(vp) << diag.to_string();
  if (vp) p.vp = *vp;
  return p;
}

// Pipe rank 1 holds stage 1, layers 2 and 3, both MoE, worked by hand:
//   dense params   2 x (attention + gate + 1 shared expert)
//   expert params  2 x (64 / 16) experts
//   weights BF16 (2 B), gradients FP32 (4 B), optimizer 8 B per parameter
//   sharded by ZeRO-1 over DP16 (dense) and DP16 / EP16 = 1 (experts)
//   activations: 1F1B holds pp - rank = 3 micro-batches at pipe rank 1
TEST(RankMemory, MiddleStageOfOneFOneBMatchesTheHandCount) {
  const auto [sc, vp] = small_moe();
  const auto& m = sc.model;
  const auto mb = rank_memory(sc, vp.schedule, vp.layers, 1);
  const double dense = 2 * (m.attention_params() + m.gate_params() + m.expert_params());
  const double experts = 2 * 4 * m.expert_params();
  EXPECT_EQ(mb.pipe_rank, 1);
  EXPECT_DOUBLE_EQ(mb.params, dense + experts);
  EXPECT_DOUBLE_EQ(mb.weights_bytes, 2 * (dense + experts));
  EXPECT_DOUBLE_EQ(mb.gradients_bytes, 4 * (dense + experts));
  EXPECT_DOUBLE_EQ(mb.optimizer_bytes, 8 * (dense / 16 + experts / 1));
  EXPECT_EQ(mb.activations_in_flight, 3);
  EXPECT_DOUBLE_EQ(mb.activations_bytes,
                   3 * 2 * cost::saved_activation_bytes_per_token(m, true, DType::FP8) * 2048);
}

// 1F1B: pipe rank r holds pp - r micro-batches at its peak (8 >= pp of them).
TEST(RankMemory, OneFOneBActivationsInFlightFallFromPpToOne) {
  const auto [sc, vp] = small_moe();
  for (int r = 0; r < 4; ++r) EXPECT_EQ(rank_memory(sc, vp.schedule, vp.layers, r).activations_in_flight, 4 - r);
}

TEST(RankMemory, WithoutZeroTheOptimizerStateIsNotSharded) {
  auto [sc, vp] = small_moe();
  sc.plan.zero_stage = 0;
  const auto mb = rank_memory(sc, vp.schedule, vp.layers, 2);
  EXPECT_DOUBLE_EQ(mb.optimizer_bytes, 8 * mb.params);
}

TEST(PeakMemory, IsTheLargestPipelineRank) {
  const auto [sc, vp] = small_moe();
  const auto peak = peak_memory(sc, vp.schedule, vp.layers);
  for (int r = 0; r < 4; ++r) EXPECT_LE(rank_memory(sc, vp.schedule, vp.layers, r).total_bytes(), peak.total_bytes());
  EXPECT_EQ(peak.total_bytes(), rank_memory(sc, vp.schedule, vp.layers, peak.pipe_rank).total_bytes());
}

}  // namespace
}  // namespace moeplan::plan
