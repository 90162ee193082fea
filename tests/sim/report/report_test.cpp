#include "sim/report/report.h"

#include <gtest/gtest.h>

namespace moeplan::report {
namespace {

using program::OpType;
using program::Part;
using program::Pass;

// Two GPUs (PP1 DP2), 64 sequences of 1000 tokens per step, a BF16 peak of
// 1 PFLOP/s, a 10 s step.
config::Scenario two_gpu_scenario() {
  config::Scenario sc;
  sc.name = "hand-made";
  sc.plan.pp = 1;
  sc.plan.dp = 2;
  sc.plan.precision = DType::BF16;
  config::TrainingWorkload training;
  training.global_batch = 64;
  training.sequence_length = 1000;
  sc.workload = training;
  sc.gpu.name = "test-gpu";
  sc.gpu.peak_flops[DType::BF16] = 1e15;
  return sc;
}

struct Step {
  program::Program p;
  trace::Trace t;
  // Adds an op of `rank` and its record [start_s, end_s].
  void run(int rank, OpType type, Part part, double start_s, double end_s, double flops = 0,
           program::Stream stream = program::Stream::Compute) {
    program::Op op;
    op.rank = rank;
    op.type = type;
    op.part = part;
    op.pass = type == OpType::Compute && part != Part::Optimizer ? Pass::F : Pass::None;
    op.stream = stream;
    op.flops = flops;
    const auto id = p.add(op).id;
    t.records.push_back({id, rank, stream, start_s, end_s});
  }
};

// Rank 0 (times in s):
//   compute   attention [0,2]  dense FFN [3,5]  optimizer [8,9]
//   dispatch  [1.5,4]  -> exposed where no compute runs: [2,3]           1 s
//   PP recv   [6,7]    -> not covered by compute or the all-to-all       1 s
//   DP sync   [6.5,8]  -> not covered by any of the above: [7,8]         1 s
//   covered   [0,5] + [6,9] = 8 s  -> bubble 10 - 8                      2 s
// Rank 1: attention [0,10], and the send of the PP transfer (a transfer
// counts once, at its receiver), so nothing is exposed and no bubble.
Step hand_worked_step() {
  Step s;
  s.p.world_size = 2;
  s.run(0, OpType::Compute, Part::Attention, 0, 2, 3e14);
  s.run(0, OpType::Compute, Part::DenseFfn, 3, 5, 1e14);
  s.run(0, OpType::Compute, Part::Optimizer, 8, 9, 5e14);
  s.run(0, OpType::Collective, Part::Dispatch, 1.5, 4);
  s.run(0, OpType::Recv, Part::PipelineActivation, 6, 7);
  s.run(0, OpType::Collective, Part::GradSync, 6.5, 8);
  s.run(1, OpType::Compute, Part::Attention, 0, 10, 2e14);
  s.run(1, OpType::Send, Part::PipelineActivation, 6, 7);
  return s;
}

constexpr double kStepS = 10;

TEST(Report, ThroughputAndCostFollowFromTokensAndStepTime) {
  const auto sc = two_gpu_scenario();
  const auto s = hand_worked_step();
  const auto r = make_report(sc, {}, s.p, s.t, kStepS);
  EXPECT_EQ(r.gpus, 2);
  EXPECT_DOUBLE_EQ(r.tokens_per_step, 64000);
  EXPECT_DOUBLE_EQ(r.tokens_per_s, 6400);  // tokens_per_step / step_time
  EXPECT_DOUBLE_EQ(r.tokens_per_s_per_gpu, 3200);
  // 2 GPUs x 10 s / 3600 s/h per 64000 tokens, scaled to 1e12 tokens.
  EXPECT_DOUBLE_EQ(r.gpu_hours_per_trillion_tokens, 2 * 10.0 / 3600 * 1e12 / 64000);
}

// Model FLOPs leave the optimizer out: 3e14 + 1e14 + 2e14 over
// 10 s x 2 GPUs x 1e15 FLOP/s.
TEST(Report, MfuCountsModelFlopsAgainstTheDensePeak) {
  const auto sc = two_gpu_scenario();
  const auto s = hand_worked_step();
  const auto r = make_report(sc, {}, s.p, s.t, kStepS);
  EXPECT_DOUBLE_EQ(r.model_flops_per_step, 6e14);
  EXPECT_DOUBLE_EQ(r.mfu, 0.03);
}

TEST(Report, ModelFlopsCountEveryReplicaOfAReducedProgram) {
  const auto sc = two_gpu_scenario();
  auto s = hand_worked_step();
  s.p.reduced = true;
  s.p.replicas = 4;
  EXPECT_DOUBLE_EQ(make_report(sc, {}, s.p, s.t, kStepS).model_flops_per_step, 4 * 6e14);
}

TEST(Report, BreakdownMatchesTheHandWorkedStepAveragedOverRanks) {
  const auto sc = two_gpu_scenario();
  const auto s = hand_worked_step();
  const auto b = make_report(sc, {}, s.p, s.t, kStepS).breakdown;
  EXPECT_DOUBLE_EQ(b.attention_s, (2 + 10) / 2.0);
  EXPECT_DOUBLE_EQ(b.dense_s, 2 / 2.0);
  EXPECT_DOUBLE_EQ(b.other_compute_s, 1 / 2.0);
  EXPECT_DOUBLE_EQ(b.experts_s, 0);
  EXPECT_DOUBLE_EQ(b.exposed_all_to_all_s, 1 / 2.0);
  EXPECT_DOUBLE_EQ(b.exposed_pp_s, 1 / 2.0);
  EXPECT_DOUBLE_EQ(b.exposed_dp_s, 1 / 2.0);
  EXPECT_DOUBLE_EQ(b.bubble_s, 2 / 2.0);
}

TEST(Report, ExposedCommAndBubbleFractionSumTheBreakdown) {
  const auto sc = two_gpu_scenario();
  const auto s = hand_worked_step();
  const auto r = make_report(sc, {}, s.p, s.t, kStepS);
  EXPECT_DOUBLE_EQ(r.exposed_comm_s, 1.5);
  EXPECT_DOUBLE_EQ(r.bubble_fraction, 0.1);
}

// Two compute streams (F&B) overlapping: attention [0,4] and dense FFN
// [2,6] keep the GPU busy 6 s, not 8; each part gets its share, 3 s each.
TEST(Report, OverlappingComputeStreamsShareTheBusyTimeInProportion) {
  auto sc = two_gpu_scenario();
  sc.plan.dp = 1;
  Step s;
  s.p.world_size = 1;
  s.run(0, OpType::Compute, Part::Attention, 0, 4, 1e14);
  s.run(0, OpType::Compute, Part::DenseFfn, 2, 6, 1e14, program::Stream::ComputeB);
  const auto b = make_report(sc, {}, s.p, s.t, kStepS).breakdown;
  EXPECT_DOUBLE_EQ(b.attention_s, 3);
  EXPECT_DOUBLE_EQ(b.dense_s, 3);
  EXPECT_DOUBLE_EQ(b.bubble_s, 4);
}

TEST(Report, MemoryIsTheGivenBreakdownsTotal) {
  const auto sc = two_gpu_scenario();
  const auto s = hand_worked_step();
  plan::MemoryBreakdown m;
  m.pipe_rank = 0;
  m.weights_bytes = 1e9;
  m.gradients_bytes = 2e9;
  m.optimizer_bytes = 3e9;
  m.activations_bytes = 4e9;
  const auto r = make_report(sc, m, s.p, s.t, kStepS);
  EXPECT_DOUBLE_EQ(r.memory_per_gpu_bytes, 10e9);
  const auto j = to_json(r);
  EXPECT_DOUBLE_EQ(j["memory_per_gpu_bytes"].get<double>(), 10e9);
  EXPECT_DOUBLE_EQ(j["tokens_per_s"].get<double>(), 6400);
  EXPECT_DOUBLE_EQ(j["breakdown"]["bubble_s"].get<double>(), 1);
}

}  // namespace
}  // namespace moeplan::report
