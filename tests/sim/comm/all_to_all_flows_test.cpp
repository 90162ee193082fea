#include "sim/comm/all_to_all_flows.h"

#include <gtest/gtest.h>

namespace moeplan::comm {
namespace {

using program::AllToAllAlgorithm;

// Two nodes of two GPUs: members 0,1 on node 0 (rails 0,1), 2,3 on node 1.
std::vector<MemberPlace> two_by_two() { return {{0, 0}, {0, 1}, {1, 0}, {1, 1}}; }

// Member 0 sends 10 bytes to each of members 1, 2, 3 and, deduplicated, 12
// bytes to node 1 (its tokens for 2 and 3 overlap).
program::Traffic one_sender() {
  program::Traffic t;
  t.gpu_bytes = {{0, 10, 10, 10}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  t.node_bytes = {{0, 12}, {0, 0}, {0, 0}, {0, 0}};
  return t;
}

TEST(AllToAllFlows, PairwiseSendsEveryPairDirectly) {
  const auto flows = all_to_all_flows(one_sender(), AllToAllAlgorithm::Pairwise, two_by_two());
  const std::vector<Flow> expected{{0, 1, 10}, {0, 2, 10}, {0, 3, 10}};
  EXPECT_EQ(flows, expected);
}

// Worked by hand: NVLink 0->1 (10); IB once to the same-rail GPU of node 1,
// member 2 (12 deduplicated bytes); member 2 forwards member 3's share (10).
TEST(AllToAllFlows, HierarchicalCrossesIbOncePerNodeThenForwards) {
  const auto flows = all_to_all_flows(one_sender(), AllToAllAlgorithm::Hierarchical, two_by_two());
  const std::vector<Flow> expected{{0, 1, 10}, {0, 2, 12}, {2, 3, 10}};
  EXPECT_EQ(flows, expected);
}

// Combine is the same plan backwards: 3 -> 2 gathers, 2 -> 0 crosses IB once.
TEST(AllToAllFlows, HierarchicalCombineIsTheReversePlan) {
  auto t = one_sender();
  t.reverse = true;
  const auto flows = all_to_all_flows(t, AllToAllAlgorithm::Hierarchical, two_by_two());
  const std::vector<Flow> expected{{1, 0, 10}, {2, 0, 12}, {3, 2, 10}};
  EXPECT_EQ(flows, expected);
}

// Without node statistics the hierarchical plan cannot deduplicate: pairwise.
TEST(AllToAllFlows, HierarchicalWithoutNodeBytesFallsBackToPairwise) {
  auto t = one_sender();
  t.node_bytes.clear();
  EXPECT_EQ(all_to_all_flows(t, AllToAllAlgorithm::Hierarchical, two_by_two()),
            all_to_all_flows(t, AllToAllAlgorithm::Pairwise, two_by_two()));
}

}  // namespace
}  // namespace moeplan::comm
