// The layer work of attention under tensor parallelism with sequence
// parallelism (serving prefill), against closed forms of DeepSeek-V3's MLA
// shapes: a GPU of a TP4 group attends over its group's four times as many
// prompts with a quarter of the heads.
#include "sim/cost/layer_work.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/sim/bundled_scenario.h"

namespace moeplan::cost {
namespace {

using program::Gemm;

// One GPU's prefill micro-batch: 2 prompts of 2048 new tokens after a 2560-token cached prefix.
MicroBatchShape prefill_micro_batch() { return {2, 2048, 2560, false}; }

double gemm_flops_of(const PartWork& w) {
  double f = 0;
  for (const auto& g : w.gemms) f += program::gemm_flops(g);
  return f;
}

bool has_gemm(const PartWork& w, std::int64_t m, std::int64_t n, std::int64_t k) {
  return std::any_of(w.gemms.begin(), w.gemms.end(), [&](const Gemm& g) { return g.m == m && g.n == n && g.k == k; });
}

TEST(AttentionWork, TensorParallelProjectionsSplitHeadsAndRepeatTheLatentDownProjections) {
  const auto m = test::load_bundled("scenarios/deepseek-v3-serve-prefill-tp4.yaml").sc.model;
  const auto mb = prefill_micro_batch();
  const auto tp1 = part_work(m, mb, Part::Attention, Pass::F, DType::FP8, 32, BlockInput::AfterMoe, 1);
  const auto tp4 = part_work(m, mb, Part::Attention, Pass::F, DType::FP8, 32, BlockInput::AfterMoe, 4);

  // The group's tokens: 4 GPUs x 2 prompts x 2048; the cached prefixes: 4 x 2 x 2560.
  const std::int64_t t = 2 * 2048, group = 4 * t, prefix = 4 * 2 * 2560;
  const std::int64_t h = 7168, q_lora = 1536, latent = 512 + 64, heads = 128 / 4;
  EXPECT_TRUE(has_gemm(tp4, group, q_lora, h));                // q down, whole, on the group's tokens
  EXPECT_TRUE(has_gemm(tp4, group, latent, h));                // kv down, whole
  EXPECT_TRUE(has_gemm(tp4, group, heads * (128 + 64), q_lora));  // q up, 32 heads
  EXPECT_TRUE(has_gemm(tp4, group, heads * (128 + 128), 512));    // kv up, 32 heads
  EXPECT_TRUE(has_gemm(tp4, group, h, heads * 128));              // output, 32 heads' values in
  EXPECT_TRUE(has_gemm(tp4, prefix, heads * (128 + 128), 512));   // the cached prefix's kv up

  // Head-split GEMMs do the tp 1 GPU's work (4x the tokens, 1/4 of the
  // heads); the down-projections run on 4x the tokens: 3 more copies.
  const double down = 2.0 * t * h * (q_lora + latent);
  EXPECT_DOUBLE_EQ(gemm_flops_of(tp4), gemm_flops_of(tp1) + 3 * down);
  // The model's own work per GPU is unchanged: the group's divided by 4.
  EXPECT_DOUBLE_EQ(tp4.model_flops, tp1.model_flops);
}

TEST(AttentionWork, TensorParallelCoreIsTheGroupsAttentionOverTp) {
  const auto m = test::load_bundled("scenarios/deepseek-v3-serve-prefill-tp4.yaml").sc.model;
  const auto mb = prefill_micro_batch();
  auto group_mb = mb;
  group_mb.sequences = 4 * mb.sequences;
  const auto tp4 = part_work(m, mb, Part::AttentionCore, Pass::F, DType::FP8, 32, BlockInput::First, 4);
  const auto group = part_work(m, group_mb, Part::AttentionCore, Pass::F, DType::FP8, 32, BlockInput::First, 1);

  EXPECT_EQ(tp4.attention.sequences, 8);
  EXPECT_EQ(tp4.attention.heads, 32);
  // Pairs per prompt: L C + L (L + 1) / 2; FLOPs 2 pairs heads (qk + v).
  const double pairs = 8.0 * (2048.0 * 2560 + 2048.0 * 2049 / 2);
  EXPECT_DOUBLE_EQ(tp4.flops, 2.0 * pairs * 32 * (192 + 128));
  EXPECT_DOUBLE_EQ(tp4.flops, group.flops / 4);
  EXPECT_DOUBLE_EQ(tp4.bytes, group.bytes / 4);
}

TEST(AttentionWork, SequenceParallelCollectivesMoveTheGroupsHiddenStates) {
  const auto m = test::load_bundled("scenarios/deepseek-v3-serve-prefill-tp4.yaml").sc.model;
  // 4 GPUs x 4096 tokens of 7168 BF16 values.
  EXPECT_DOUBLE_EQ(sequence_parallel_bytes(m, 4 * 4096), 4.0 * 4096 * 7168 * 2);
}

}  // namespace
}  // namespace moeplan::cost
