// Serving memory against hand counts for a small model, and a decode plan
// whose KV cache does not fit, refused with the numbers.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

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
  std::ifstream in(test::source_path("scenarios/deepseek-v3-serve-decode-ep144.yaml"));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (std::size_t at; (at = text.find("../")) != std::string::npos;) text.replace(at, 3, test::source_path("") + "/");
  text = test::replace(text, "context_tokens: 4989", "context_tokens: 131072");
  const auto c = test::check_text(text);
  EXPECT_TRUE(test::has_error(c, "workload.batch", "does not fit in memory"));
  const auto s = c.diag.to_string();
  EXPECT_NE(s.find("KV cache"), std::string::npos) << s;
  // 128 x 131074 tokens x 70,272 bytes (576 values x 61 layers + MTP x 2) = 1.18 TB.
  EXPECT_NE(s.find("128 requests x 131074 tokens"), std::string::npos) << s;
  EXPECT_NE(s.find("requests of 131074 tokens fit"), std::string::npos) << s;
}

}  // namespace
}  // namespace moeplan::plan
