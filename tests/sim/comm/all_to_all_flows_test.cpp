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

// The same two nodes on a multi-plane fat-tree: each rail its own IB plane.
std::vector<MemberPlace> two_by_two_planes() { return {{0, 0, 0}, {0, 1, 1}, {1, 0, 0}, {1, 1, 1}}; }

// Worked by hand: NVLink 0->1 (10); member 2 shares plane 0: direct (10);
// member 3 is on plane 1, so its copy crosses plane 0 to member 2 (10 more,
// not deduplicated: 20 in all) and NVLink 2->3 (10).
TEST(AllToAllFlows, LowLatencyCrossesTheOwnersPlaneThenForwardsEveryCopy) {
  const auto flows = all_to_all_flows(one_sender(), AllToAllAlgorithm::LowLatency, two_by_two_planes());
  const std::vector<Flow> expected{{0, 1, 10}, {0, 2, 20}, {2, 3, 10}};
  EXPECT_EQ(flows, expected);
}

// Combine returns each copy the same way backwards: 3 -> 2 over NVLink, then
// both copies over plane 0 to member 0.
TEST(AllToAllFlows, LowLatencyCombineIsTheReversePlan) {
  auto t = one_sender();
  t.reverse = true;
  const auto flows = all_to_all_flows(t, AllToAllAlgorithm::LowLatency, two_by_two_planes());
  const std::vector<Flow> expected{{1, 0, 10}, {2, 0, 20}, {3, 2, 10}};
  EXPECT_EQ(flows, expected);
}

// On a single-plane fabric every NIC reaches every other: low-latency is pairwise.
TEST(AllToAllFlows, LowLatencyOnOnePlaneSendsEveryPairDirectly) {
  EXPECT_EQ(all_to_all_flows(one_sender(), AllToAllAlgorithm::LowLatency, two_by_two()),
            all_to_all_flows(one_sender(), AllToAllAlgorithm::Pairwise, two_by_two()));
}

// Four nodes of four GPUs, rails as planes, every member sending a distinct
// amount to every other: each member's bytes onto IB are its copies to other
// nodes (no deduplication), every copy arrives at its GPU (IB in plus NVLink
// forwarded in = what it is sent), and no IB flow changes plane.
TEST(AllToAllFlows, LowLatencyConservesEveryCopy) {
  constexpr int kNodes = 4, kPerNode = 4, n = kNodes * kPerNode;
  std::vector<MemberPlace> places;
  program::Traffic t;
  t.gpu_bytes.assign(n, std::vector<double>(n, 0.0));
  for (int i = 0; i < n; ++i) {
    places.push_back({i / kPerNode, i % kPerNode, i % kPerNode});
    for (int j = 0; j < n; ++j)
      if (i != j) t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = 1 + i * n + j;
  }
  std::vector<double> ib_out(n, 0), sent_off_node(n, 0), received(n, 0), sent_to(n, 0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double b = t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      if (i / kPerNode != j / kPerNode) sent_off_node[static_cast<std::size_t>(i)] += b;
      sent_to[static_cast<std::size_t>(j)] += b;
    }
  double forwarded = 0;
  for (const auto& f : all_to_all_flows(t, AllToAllAlgorithm::LowLatency, places)) {
    const auto src = static_cast<std::size_t>(f.src), dst = static_cast<std::size_t>(f.dst);
    if (places[src].node != places[dst].node) {
      EXPECT_EQ(places[src].plane, places[dst].plane) << f.src << " -> " << f.dst;
      ib_out[src] += f.bytes;
    }
    received[dst] += f.bytes;
  }
  // Forwarders receive the copies they pass on: count them out of `received`.
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (i / kPerNode != j / kPerNode && i % kPerNode != j % kPerNode) {
        const double b = t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
        received[static_cast<std::size_t>((j / kPerNode) * kPerNode + i % kPerNode)] -= b;
        forwarded += b;
      }
  EXPECT_GT(forwarded, 0.0);
  for (int i = 0; i < n; ++i) {
    EXPECT_DOUBLE_EQ(ib_out[static_cast<std::size_t>(i)], sent_off_node[static_cast<std::size_t>(i)]) << i;
    EXPECT_DOUBLE_EQ(received[static_cast<std::size_t>(i)], sent_to[static_cast<std::size_t>(i)]) << i;
  }
}

}  // namespace
}  // namespace moeplan::comm
