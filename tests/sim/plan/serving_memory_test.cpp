// Serving memory against hand counts for a small model, and a decode plan
// whose KV cache does not fit, refused with the numbers.
#include <gtest/gtest.h>

#include "sim/plan/serving_memory.h"
#include "sim/plan/validate.h"
#include "tests/sim/bundled_scenario.h"
#include "tests/sim/scenario_text.h"

namespace moeplan::plan {
namespace {

TEST(ServingMemory, KvBytesPerTokenByHand) {
  config::ModelConfig m;
  m.layers = 4;
  m.mtp_layers = 1;
  m.kv_lora_rank = 256;
  m.qk_rope_head_dim = 64;
  // (256 + 64) values x (4 layers + 1 MTP module) x 2 bytes (BF16)
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m), 320.0 * 5 * 2);
}

TEST(ServingMemory, SmallDecodeStepByHand) {
  const auto b = test::load_bundled("scenarios/h100x1-serve-decode.yaml");
  const auto& mem = b.vp.serving_memory;
  // 32 sequences x (2048 cached + 2 new tokens) x 3200 bytes.
  EXPECT_DOUBLE_EQ(mem.kv_cache_bytes, 32.0 * 2050 * 3200);
  // BF16 weights: 16 routed experts of 3 x 2048 x 1024 in 3 MoE layers + the MTP module's.
  EXPECT_DOUBLE_EQ(mem.routed_experts_bytes, 16.0 * 3 * 2048 * 1024 * 4 * 2);
  EXPECT_EQ(mem.expert_slots_per_gpu, 16);
  EXPECT_GT(mem.max_requests, 32);
}

TEST(ServingMemory, RefusesADecodeBatchWhoseKvCacheDoesNotFit) {
  auto text = test::bundled_scenario_text("scenarios/deepseek-v3-serve-decode-ep144.yaml");
  text = test::replace(text, "context_tokens: 4989", "context_tokens: 131072");
  const auto c = test::check_text(text);
  EXPECT_TRUE(test::has_error(c, "workload.batch", "does not fit in memory"));
  const auto s = c.diag.to_string();
  EXPECT_NE(s.find("KV cache"), std::string::npos) << s;
  // 128 x 131074 tokens x 71,424 bytes (576 values x (61 layers + the MTP layer) x 2) = 1.20 TB.
  EXPECT_NE(s.find("128 requests x 131074 tokens"), std::string::npos) << s;
  EXPECT_NE(s.find("requests of 131074 tokens fit"), std::string::npos) << s;
}

// DeepSeek's TP4 + SP prefill unit: each GPU holds the latent
// down-projections whole and a quarter of the head-split projections, and the
// latent cache of its TP group's 4 x 4 prompts.
TEST(ServingMemory, TensorParallelPrefillByHand) {
  const auto b = test::load_bundled("scenarios/deepseek-v3-serve-prefill-tp4.yaml");
  const auto& m = b.sc.model;
  const auto& mem = b.vp.serving_memory;
  const double h = m.hidden, n = m.heads;
  const double latent = h * m.q_lora_rank + h * (m.kv_lora_rank + m.qk_rope_head_dim);
  const double heads = m.q_lora_rank * n * (m.qk_nope_head_dim + m.qk_rope_head_dim) +
                       m.kv_lora_rank * n * (m.qk_nope_head_dim + m.v_head_dim) + n * m.v_head_dim * h;
  // 61 layers + the MTP module, FP8 weights (1 byte).
  EXPECT_DOUBLE_EQ(mem.attention_bytes, (latent + heads / 4) * 62);
  // 4 prompts per GPU x 4 GPUs of the group, of 2560 cached + 2048 new tokens,
  // each (512 + 64) values x (61 layers + the MTP module) x 2 bytes.
  EXPECT_DOUBLE_EQ(mem.kv_cache_bytes, 4.0 * 4 * (2560 + 2048) * (576 * 62 * 2));
  // The same prompts per GPU without TP: all heads, only its own prompts' cache.
  const auto dp = test::load_bundled("scenarios/deepseek-v3-serve-prefill-ep32.yaml");
  EXPECT_DOUBLE_EQ(dp.vp.serving_memory.attention_bytes, (latent + heads) * 62);
  EXPECT_DOUBLE_EQ(mem.kv_cache_bytes, 4 * dp.vp.serving_memory.kv_cache_bytes);
}

}  // namespace
}  // namespace moeplan::plan
