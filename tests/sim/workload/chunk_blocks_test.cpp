#include "sim/workload/chunk_blocks.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace moeplan::workload {
namespace {

std::string name_of(Slot s) {
  switch (s) {
    case Slot::MlpB: return "MLP-B";
    case Slot::MlpW: return "MLP-W";
    case Slot::MlpF: return "MLP-F";
    case Slot::AttnB: return "ATTN-B";
    case Slot::AttnW: return "ATTN-W";
    case Slot::AttnF: return "ATTN-F";
    case Slot::Glue: return "glue";
  }
  return "?";
}

std::vector<std::string> slots_of(const std::vector<Block>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) out.push_back(name_of(b.slot));
  return out;
}

// Glue before the first block joins it; glue after a block joins that block.
TEST(ChunkBlocks, GlueJoinsTheBlockBeforeItOrTheFirstBlock) {
  const std::vector<int> layers{3, 4};
  const auto f = forward_blocks({.first = false, .last = true, .layers = &layers, .first_moe_layer = 0});
  EXPECT_EQ(slots_of(f), (std::vector<std::string>{"ATTN-F", "MLP-F", "ATTN-F", "MLP-F"}));
  ASSERT_EQ(f.front().steps.size(), 2u);
  EXPECT_EQ(f.front().steps[0].verb, ChunkVerb::RecvActivation);
  EXPECT_EQ(f.front().steps[1].verb, ChunkVerb::AttentionForward);
  ASSERT_EQ(f.back().steps.size(), 3u);
  EXPECT_EQ(f.back().steps[1].verb, ChunkVerb::HeadForward);
  EXPECT_EQ(f.back().steps[2].verb, ChunkVerb::SendActivation);
}

// A stage without layers is one glue block: receive, head, send.
TEST(ChunkBlocks, StageWithoutLayersIsOneGlueBlock) {
  const std::vector<int> none;
  const auto f = forward_blocks({.first = true, .last = true, .layers = &none, .first_moe_layer = 0});
  ASSERT_EQ(slots_of(f), (std::vector<std::string>{"glue"}));
  EXPECT_EQ(f[0].steps.size(), 3u);
}

// An MoE layer's combine-grad is glue: it joins the block of the layer above
// (here its ATTN-W), which makes it ready.
TEST(ChunkBlocks, CombineGradJoinsTheLayerAbove) {
  const std::vector<int> layers{0, 1};
  const auto b = backward_blocks({.first = true, .last = false, .layers = &layers, .first_moe_layer = 0}, true);
  EXPECT_EQ(slots_of(b), (std::vector<std::string>{"MLP-B", "MLP-W", "ATTN-B", "ATTN-W", "MLP-B", "MLP-W", "ATTN-B",
                                                   "ATTN-W"}));
  EXPECT_EQ(b[3].steps.back().verb, ChunkVerb::CombineBackward);
  EXPECT_EQ(b[3].steps.back().layer, 0);
  EXPECT_EQ(b.back().steps.back().verb, ChunkVerb::FinishWeightGrad);
}

// Two layers each way, worked by hand through the cycle
// MLP-B MLP-W MLP-F ATTN-B ATTN-W ATTN-F: the forward chunk starts with
// attention, so the first cycle's MLP-F slot is empty.
TEST(ChunkBlocks, FAndBInterleaveFollowsDeepSeeksSlotCycle) {
  const std::vector<int> layers{0, 1};
  const auto f = forward_blocks({.first = false, .last = false, .layers = &layers, .first_moe_layer = 0});
  const auto b = backward_blocks({.first = false, .last = false, .layers = &layers, .first_moe_layer = 0}, true);
  std::vector<std::string> order;
  for (const auto& ref : interleave_f_and_b(f, b))
    order.push_back(name_of((ref.forward ? f : b)[ref.index].slot) + (ref.forward ? "/f" : "/b"));
  EXPECT_EQ(order, (std::vector<std::string>{"MLP-B/b", "MLP-W/b", "ATTN-B/b", "ATTN-W/b", "ATTN-F/f", "MLP-B/b",
                                             "MLP-W/b", "MLP-F/f", "ATTN-B/b", "ATTN-W/b", "ATTN-F/f", "MLP-F/f"}));
}

}  // namespace
}  // namespace moeplan::workload
