#include "runtime/plan/moe_check_config.h"

#include <gtest/gtest.h>

#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

using test::program_of;

// The scenario's model: hidden 2048, expert FFN 1024, 16 routed experts,
// 2048-token micro-batches; two ranks.
TEST(MoeCheckConfig, TakesTheLayerShapeFromTheProgram) {
  const auto c = moe_check_config(program_of("h200x2-ep2.yaml"));
  EXPECT_EQ(c.hidden, 2048);
  EXPECT_EQ(c.intermediate, 1024);
  EXPECT_EQ(c.experts, 16);
  EXPECT_EQ(c.tokens, 2048);
  EXPECT_EQ(c.ranks, 2);
  EXPECT_EQ(c.topk, 4);
  EXPECT_EQ(c.groups, 4);
  EXPECT_EQ(c.topk_groups, 2);
}

TEST(MoeCheckConfig, ExpertsMustSplitOverTheRanks) {
  auto p = program_of("h200x2-ep2.yaml");
  p.world_size = 3;
  EXPECT_THROW((void)moe_check_config(p), std::runtime_error);
}

}  // namespace
}  // namespace moeplan::runtime
