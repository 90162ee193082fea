// Serving step programs: a decode step at batch 1 with no communication
// costs its weight bytes plus its KV-cache bytes over HBM bandwidth; steps are
// forward only, with the MTP module when drafts are accepted.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace moeplan::workload
