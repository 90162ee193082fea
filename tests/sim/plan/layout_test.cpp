#include "sim/plan/layout.h"

#include <gtest/gtest.h>

#include "sim/util/check.h"

namespace moeplan::plan {
namespace {

// PP2 x DP8 with EP4, worked by hand (rank = pipe_rank * dp + d):
//
//   pipe rank 0:  0  1  2  3 |  4  5  6  7
//   pipe rank 1:  8  9 10 11 | 12 13 14 15
//                 EP group   |  EP group
//
// Rank 13 is (pipe rank 1, d = 5); its EP group is d = 4..7 of pipe rank 1;
// the ranks holding its experts (EDP) are d = 1 and 5 (d mod 4 = 1).
Layout pp2_dp8_ep4() { return Layout{2, 8, 4}; }

TEST(Layout, NumbersRanksPipelineRankMajor) {
  const auto l = pp2_dp8_ep4();
  EXPECT_EQ(l.world(), 16);
  EXPECT_EQ(l.rank(0, 0), 0);
  EXPECT_EQ(l.rank(0, 7), 7);
  EXPECT_EQ(l.rank(1, 3), 11);
  EXPECT_EQ(l.pipe_rank_of(13), 1);
  EXPECT_EQ(l.pipeline_of(13), 5);
  for (int r = 0; r < l.world(); ++r) EXPECT_EQ(l.rank(l.pipe_rank_of(r), l.pipeline_of(r)), r);
}

TEST(Layout, ExpertParallelGroupIsEpConsecutiveRanksOfOnePipelineRank) {
  const auto l = pp2_dp8_ep4();
  EXPECT_EQ(l.ep_group(13), (std::vector<int>{12, 13, 14, 15}));
  EXPECT_EQ(l.ep_group(2), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(l.ep_group(8), (std::vector<int>{8, 9, 10, 11}));
}

TEST(Layout, DataParallelGroupIsEveryRankOfOnePipelineRank) {
  const auto l = pp2_dp8_ep4();
  EXPECT_EQ(l.dp_group(5), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(l.dp_group(9), (std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15}));
}

TEST(Layout, ExpertDataParallelGroupHoldsTheSameExperts) {
  const auto l = pp2_dp8_ep4();
  EXPECT_EQ(l.edp_group(13), (std::vector<int>{9, 13}));
  EXPECT_EQ(l.edp_group(0), (std::vector<int>{0, 4}));
  EXPECT_EQ(l.edp_group(7), (std::vector<int>{3, 7}));
}

// DP2 x TP4 with EP8 (serving: attention tensor-parallel, sequence-parallel
// outside it), worked by hand (rank = d * tp + t):
//
//   rank   0  1  2  3 | 4  5  6  7
//   TP     group d=0  | group d=1
//   EP     one group of all 8 (every GPU routes its own tokens)
Layout dp2_tp4_ep8() { return Layout{1, 2, 8, 4}; }

TEST(Layout, TensorParallelGroupIsTpConsecutiveRanks) {
  const auto l = dp2_tp4_ep8();
  EXPECT_EQ(l.world(), 8);
  EXPECT_EQ(l.pipelines(), 8);
  EXPECT_EQ(l.tp_group(0), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(l.tp_group(6), (std::vector<int>{4, 5, 6, 7}));
  EXPECT_EQ(l.ep_group(6), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(l.dp_group(6), (std::vector<int>{2, 6}));  // the same TP index of each group
  EXPECT_EQ(pp2_dp8_ep4().tp_group(13), (std::vector<int>{13}));
}

config::ModelConfig model_of_layers(int layers) {
  config::ModelConfig m;
  m.layers = layers;
  return m;
}

TEST(AssignLayers, SplitsEvenlyWithoutACount) {
  const auto s = assign_layers(model_of_layers(8), 4, {});
  ASSERT_EQ(s.stages(), 4);
  EXPECT_EQ(s.layers[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(s.layers[3], (std::vector<int>{6, 7}));
}

// DeepSeek-V3's split: 61 layers over 16 stages, 3 on the first (which also
// holds the embedding) and 2 on the last (head and MTP).
TEST(AssignLayers, FollowsLayersPerStageInModelOrder) {
  const auto s = assign_layers(model_of_layers(61), 16, {3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2});
  ASSERT_EQ(s.stages(), 16);
  EXPECT_EQ(s.layers[0], (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(s.layers[1], (std::vector<int>{3, 4, 5, 6}));
  EXPECT_EQ(s.layers[14], (std::vector<int>{55, 56, 57, 58}));
  EXPECT_EQ(s.layers[15], (std::vector<int>{59, 60}));
}

// validate_plan reports bad splits to the user; here they are broken invariants.
TEST(AssignLayers, CountsThatDoNotCoverTheModelAreAnInternalError) {
  EXPECT_THROW(assign_layers(model_of_layers(8), 3, {}), InvariantError);
  EXPECT_THROW(assign_layers(model_of_layers(8), 2, {3, 4}), InvariantError);
  EXPECT_THROW(assign_layers(model_of_layers(8), 2, {8}), InvariantError);
}

}  // namespace
}  // namespace moeplan::plan
