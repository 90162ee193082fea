// Serving step programs: a decode step at batch 1 with no communication
// costs its weight bytes plus its KV-cache bytes over HBM bandwidth; steps are
// forward only, with the MTP module when drafts are accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sim/comm/ring.h"
#include "sim/cost/cost_model.h"
#include "sim/estimate/op_timer.h"
#include "sim/serving/step_shape.h"
#include "sim/workload/serve_step.h"
#include "tests/sim/bundled_scenario.h"

namespace moeplan::workload {
namespace {

using program::Part;

TEST(ServeStep, BatchOneDecodeCostsWeightAndKvBytesOverHbm) {
  auto b = test::load_bundled("scenarios/h100x1-serve-decode.yaml");
  auto& sc = b.sc;
  std::get<config::ServingWorkload>(sc.workload).mtp_acceptance = 0;  // one token, no MTP module
  sc.gpu.kernel_profile.path.clear();                                 // roofline: the closed form below
  const auto shape = serving::make_step(sc, 1, 1, 2048);
  const auto p = build_serve_step(sc, b.vp, {.shape = shape});
  const cost::CostModel cost(sc.gpu);
  estimate::OpTimer timer(p, sc.topology.topology, cost, sc);
  const double step_s = timer.time(0, 0, static_cast<program::OpId>(p.ops.size())).span_s;

  const auto& m = sc.model;
  const double h = m.hidden, heads = m.heads;
  const double attention = h * m.q_lora_rank + h * (m.kv_lora_rank + m.qk_rope_head_dim) +
                           m.q_lora_rank * heads * (m.qk_nope_head_dim + m.qk_rope_head_dim) +
                           m.kv_lora_rank * heads * (m.qk_nope_head_dim + m.v_head_dim) + heads * m.v_head_dim * h;
  const double expert = 3.0 * h * m.moe_intermediate;
  double routed_experts_read = 0;  // experts that received the token: two GEMMs each
  for (const auto& op : p.ops)
    if (op.part == Part::RoutedExperts) routed_experts_read += static_cast<double>(op.gemms.size()) / 2;
  EXPECT_EQ(routed_experts_read, m.moe_layers() * m.experts_per_token);
  const double params = m.layers * attention + m.dense_layers * 3.0 * h * m.dense_intermediate +
                        m.moe_layers() * (m.shared_experts * expert + h * m.routed_experts) +
                        routed_experts_read * expert + m.vocab * h;
  const double weight_bytes = 2.0 * params;  // BF16
  const double kv_bytes = 2049.0 * (m.kv_lora_rank + m.qk_rope_head_dim) * 2.0 * m.layers;
  const double expected = (weight_bytes + kv_bytes) / (sc.gpu.hbm_Bps * sc.gpu.memory.value);
  EXPECT_NEAR(step_s / expected, 1.0, 0.02) << step_s << " s vs " << expected << " s";
}

TEST(ServeStep, IsForwardOnlyWithTheMtpModuleWhenDraftsAreAccepted) {
  const auto b = test::load_bundled("scenarios/h100x1-serve-decode.yaml");
  const auto p = build_serve_step(b.sc, b.vp, {});
  int heads = 0, mtp_layer_ops = 0;
  for (const auto& op : p.ops) {
    EXPECT_TRUE(op.pass == program::Pass::F || op.pass == program::Pass::None) << program::to_string(op.pass);
    EXPECT_NE(op.part, Part::Loss);
    if (op.part == Part::Head) ++heads;
    if (op.layer == b.sc.model.layers) ++mtp_layer_ops;
  }
  EXPECT_EQ(heads, 2 * 2);  // main and MTP head, per micro-batch
  EXPECT_GT(mtp_layer_ops, 0);
}

TEST(ServeStep, DecodeAttentionReadsTheLatentCache) {
  const auto b = test::load_bundled("scenarios/h100x1-serve-decode.yaml");
  const auto p = build_serve_step(b.sc, b.vp, {});
  const auto& m = b.sc.model;
  for (const auto& op : p.ops) {
    if (op.part != Part::AttentionCore) continue;
    EXPECT_TRUE(op.attention.latent);
    EXPECT_EQ(op.attention.cached, 2048);
    EXPECT_EQ(op.attention.qk_dim, m.kv_lora_rank + m.qk_rope_head_dim);
    // 16 sequences per micro-batch x 2 tokens, over 2048 cached + causal pairs.
    const double pairs = 16.0 * (2 * 2048 + 3);
    EXPECT_DOUBLE_EQ(op.flops, 2.0 * pairs * m.heads * (2 * m.kv_lora_rank + m.qk_rope_head_dim));
  }
}

// DeepSeek's TP4 + SP prefill unit: every layer's attention of every
// micro-batch runs between an all-gather and a reduce-scatter over the GPU's
// TP group, inline on the compute stream, moving the group's hidden states.
TEST(ServeStep, TensorParallelAttentionRunsBetweenAnAllGatherAndAReduceScatter) {
  const auto b = test::load_bundled("scenarios/deepseek-v3-serve-prefill-tp4.yaml");
  const auto p = build_serve_step(b.sc, b.vp, {});
  const auto& m = b.sc.model;
  // 4 prompts per GPU in 2 micro-batches: 2 x 2048 tokens per GPU, 4 GPUs per group.
  const std::int64_t group_tokens = 4 * 2 * 2048;
  const double bytes = static_cast<double>(group_tokens) * m.hidden * 2;  // BF16 hidden states
  std::map<int, int> gathers, scatters;  // per rank
  for (const auto& op : p.ops) {
    if (op.part == Part::Attention || op.part == Part::AttentionCore) {
      EXPECT_EQ(op.tokens, group_tokens);
    }
    if (op.part != Part::SequenceGather && op.part != Part::SequenceScatter) continue;
    const bool gather = op.part == Part::SequenceGather;
    ++(gather ? gathers : scatters)[op.rank];
    EXPECT_EQ(op.collective, gather ? program::CollectiveKind::AllGather : program::CollectiveKind::ReduceScatter);
    const auto& group = p.groups[static_cast<std::size_t>(op.group)];
    EXPECT_EQ(group.kind, "tp");
    const int first = op.rank / 4 * 4;
    EXPECT_EQ(group.ranks, (std::vector<int>{first, first + 1, first + 2, first + 3}));
    EXPECT_EQ(op.stream, program::Stream::Compute);
    EXPECT_EQ(op.tokens, group_tokens);
    EXPECT_DOUBLE_EQ(op.bytes, bytes);
    // The ring's steps: each GPU sends the 3 other GPUs' share of the states (its own tokens' size each).
    EXPECT_DOUBLE_EQ(comm::ring_steps(op.collective, 4) * op.bytes / 4, 3.0 * (2 * 2048) * m.hidden * 2);
    if (!gather) {  // after the core it reduces
      ASSERT_EQ(op.deps.size(), 1u);
      EXPECT_EQ(p.op(op.deps[0]).part, Part::AttentionCore);
    }
  }
  // The projections start from the gathered states; gating from the reduced ones.
  for (const auto& op : p.ops) {
    const Part before = op.part == Part::Attention ? Part::SequenceGather
                        : op.part == Part::Gating  ? Part::SequenceScatter
                                                   : Part::Embedding;
    if (before == Part::Embedding) continue;
    ASSERT_EQ(op.deps.size(), 1u);
    EXPECT_EQ(p.op(op.deps[0]).part, before);
    EXPECT_EQ(p.op(op.deps[0]).layer, op.layer);
    EXPECT_EQ(p.op(op.deps[0]).microbatch, op.microbatch);
  }
  // (61 layers + the MTP module) x 2 micro-batches on each of the 32 GPUs.
  ASSERT_EQ(gathers.size(), 32u);
  for (const auto& [rank, n] : gathers) EXPECT_EQ(n, 62 * 2) << rank;
  EXPECT_EQ(scatters, gathers);
}

// A shared expert dispatched to 8 of the EP32 prefill unit's GPUs: no GPU
// runs it on its own tokens; each token's dispatch carries one more copy (8
// routed + 1 shared), and on 8 GPUs per layer and micro-batch the routed
// experts op runs one more expert (two GEMMs each) than the 9 slots elsewhere.
TEST(ServeStep, DispatchedSharedExpertRunsAmongTheRoutedExpertsOfItsReplicas) {
  auto b = test::load_bundled("scenarios/deepseek-v3-serve-prefill-ep32.yaml");
  b.sc.placement.shared_expert_gpus = 8;
  const auto p = build_serve_step(b.sc, b.vp, {});
  const auto& m = b.sc.model;
  const double tokens = 2 * 2048;  // per GPU and micro-batch
  const double payload = cost::token_payload_bytes(m, Part::Dispatch, program::Pass::F, b.sc.plan.precision);
  std::map<std::pair<int, int>, std::vector<int>> experts_run;  // (layer, micro-batch) -> per rank
  for (const auto& op : p.ops) {
    EXPECT_NE(op.part, Part::SharedExpert);
    if (op.part == Part::RoutedExperts)
      experts_run[{op.layer, op.microbatch}].push_back(static_cast<int>(op.gemms.size()) / 2);
    if (op.part == Part::Dispatch) {
      const auto& t = p.traffic[static_cast<std::size_t>(op.traffic)];
      for (const auto& row : t.gpu_bytes) {
        double sent = 0;  // copies to its own GPU's experts included
        for (double bytes : row) sent += bytes;
        EXPECT_NEAR(sent, (m.experts_per_token + 1) * tokens * payload, 1e-6 * sent);
      }
    }
  }
  ASSERT_EQ(experts_run.size(), static_cast<std::size_t>((m.moe_layers() + m.mtp_layers) * 2));
  for (const auto& [at, per_rank] : experts_run) {
    ASSERT_EQ(per_rank.size(), 32u);
    EXPECT_EQ(std::count(per_rank.begin(), per_rank.end(), 10), 8) << at.first;
    EXPECT_EQ(std::count(per_rank.begin(), per_rank.end(), 9), 24) << at.first;
  }
}

// The December 2024 decode unit as shipped: 320 GPUs in TP4 groups, one
// routed expert slot per GPU (256 + 64 redundant), the shared expert on 64
// GPUs: in every MoE layer 64 GPUs run two experts, 256 run one.
TEST(ServeStep, DecemberDecodeUnitRunsOneRoutedExpertPerGpuAndTheSharedOneOnSixtyFour) {
  const auto b = test::load_bundled("scenarios/deepseek-v3-serve-decode-ep320.yaml");
  EXPECT_EQ(b.vp.layout.world(), 320);
  EXPECT_EQ(b.vp.serving_memory.expert_slots_per_gpu, 1);
  const auto p = build_serve_step(b.sc, b.vp, {});
  std::map<int, int> gpus_by_experts;  // of the first MoE layer's first micro-batch
  for (const auto& op : p.ops) {
    EXPECT_NE(op.part, Part::SharedExpert);
    if (op.part == Part::RoutedExperts && op.layer == b.sc.model.dense_layers && op.microbatch == 0)
      ++gpus_by_experts[static_cast<int>(op.gemms.size()) / 2];
  }
  EXPECT_EQ(gpus_by_experts, (std::map<int, int>{{1, 256}, {2, 64}}));
}

}  // namespace
}  // namespace moeplan::workload
