#include "sim/workload/collective_instances.h"

#include <gtest/gtest.h>

namespace moeplan::workload {
namespace {

using program::CollectiveKind;
using program::Part;

// Rank 1 is built before rank 0: each rank's n-th collective in a group still
// meets the other's n-th, and a second group numbers its own instances.
TEST(CollectiveInstances, EachRanksNthCollectiveInAGroupJoinsTheGroupsNthInstance) {
  program::Program p;
  p.world_size = 4;
  CollectiveInstances c(p);
  const int ep = c.group_index("ep", {0, 1});
  EXPECT_EQ(c.group_index("ep", {0, 1}), ep);
  const int dp = c.group_index("dp", {0, 2});
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[static_cast<std::size_t>(dp)].ranks, (std::vector<int>{0, 2}));
  const auto r1_first = c.collective(1, CollectiveKind::AllToAll, Part::Dispatch, ep).instance;
  const auto r1_second = c.collective(1, CollectiveKind::AllToAll, Part::Combine, ep).instance;
  const auto r0_dp = c.collective(0, CollectiveKind::ReduceScatter, Part::GradSync, dp).instance;
  const auto r0_first = c.collective(0, CollectiveKind::AllToAll, Part::Dispatch, ep).instance;
  const auto r0_second = c.collective(0, CollectiveKind::AllToAll, Part::Combine, ep).instance;
  EXPECT_EQ(r0_first, r1_first);
  EXPECT_EQ(r0_second, r1_second);
  EXPECT_NE(r1_first, r1_second);
  EXPECT_NE(r0_dp, r0_first);
  EXPECT_NE(r0_dp, r0_second);
}

}  // namespace
}  // namespace moeplan::workload
