#include <gtest/gtest.h>
#include <set>

#include "sim/topology/generators.h"
#include "sim/topology/metrics.h"
#include "sim/topology/routing.h"

namespace moeplan::topology {
namespace {

ClusterSpec spec(int nodes, int ports) {
  ClusterSpec s;
  s.nodes = nodes;
  s.gpus_per_node = 8;
  s.nvlink = {160e9, 1e-6};
  s.pcie = {64e9, 0.5e-6};
  s.nic = {50e9, 1e-6};
  s.fabric = {50e9, 0.5e-6};
  s.switch_ports = ports;
  return s;
}

TEST(Topology, NvSwitchNodeRoutesThroughTheSwitchInTwoHops) {
  const auto t = build_single_node(spec(1, 64));
  Router r(t);
  EXPECT_EQ(t.gpu_count(), 8);
  EXPECT_EQ(r.hops(0, 7), 2);
  EXPECT_DOUBLE_EQ(r.path_bandwidth(r.route(0, 7)), 160e9);
  EXPECT_DOUBLE_EQ(r.path_latency(r.route(0, 7)), 2e-6);
  EXPECT_EQ(diameter(t), 2);
}

// 16 nodes x 8 GPUs = 128 NICs on 16-port switches: 16 leaves of 8 NICs, 8
// spines, one link from each leaf to each spine.
TEST(Topology, FatTreeHopCountsMatchHandCountedPaths) {
  const auto t = build_fat_tree(spec(16, 16));
  Router r(t);
  EXPECT_EQ(r.hops(0, 1), 2);    // same node: GPU-NVSwitch-GPU
  // A leaf's 8 down ports take exactly one node's 8 NICs, so any two nodes
  // meet at a spine: GPU-NIC-leaf-spine-leaf-NIC-GPU.
  EXPECT_EQ(r.hops(0, 8), 6);
  EXPECT_EQ(r.hops(0, 127), 6);
  const auto p = r.route(0, 127);
  EXPECT_DOUBLE_EQ(r.path_bandwidth(p), 50e9);  // NIC-bound
  EXPECT_DOUBLE_EQ(r.path_latency(p), 0.5e-6 + 1e-6 + 0.5e-6 + 0.5e-6 + 1e-6 + 0.5e-6);
  const auto m = compute_metrics(t);
  EXPECT_EQ(m.switches, 16 + 8);
  EXPECT_DOUBLE_EQ(m.ib_Bps_per_gpu, 50e9);
  EXPECT_DOUBLE_EQ(m.nvlink_Bps_per_gpu, 160e9);
}

// Non-blocking two-level fat-tree: the halves exchange one NIC's worth per GPU.
TEST(Topology, FatTreeBisectionIsHalfTheGpusTimesNicBandwidth) {
  const auto t = build_fat_tree(spec(16, 16));
  EXPECT_NEAR(bisection_bandwidth(t), 64 * 50e9, 1.0);
}

// Every plane of a
// 256-node multi-plane tree with 64-port switches: 8 leaves x 32 NICs, 4
// spines, 8 parallel links per leaf-spine pair; halves = 4 leaves each.
TEST(Topology, MultiPlaneClusterMatchesDeepSeekFigures) {
  const auto t = build_multi_plane_fat_tree(spec(256, 64));
  const auto m = compute_metrics(t);
  EXPECT_EQ(m.gpus, 2048);
  EXPECT_EQ(m.switches, 8 * (8 + 4));
  EXPECT_EQ(m.links, 2048 /*nvlink*/ + 2048 /*pcie*/ + 2048 /*nic*/ + 8 * 8 * 4 * 8 /*leaf-spine*/);
  EXPECT_NEAR(m.bisection_Bps, 1024 * 50e9, 1.0);
  // Rails are separate planes: a cross-rail, cross-node path forwards over NVLink.
  Router r(t);
  EXPECT_EQ(r.hops(0, 8), 4);    // same rail, same leaf
  EXPECT_EQ(r.hops(0, 9), 6);    // other rail: one NVLink detour
  EXPECT_EQ(r.hops(0, 2047), 8); // other rail, other leaf
}

TEST(Topology, EcmpIsDeterministicAndSpreadsPairs) {
  const auto t = build_multi_plane_fat_tree(spec(256, 64));
  Router a(t), b(t);
  std::set<int> spine_links;
  for (int dst = 1024; dst < 2048; dst += 8) {
    const auto p = a.route(0, dst);
    const auto q = b.route(0, dst);
    ASSERT_EQ(p.size(), q.size());
    for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].link, q[i].link);
    spine_links.insert(p[2].link);  // leaf -> spine
  }
  EXPECT_GT(spine_links.size(), 8u);  // 128 destinations spread over many of the 32 uplinks
}

// Above the exact limit the diameter is measured from the first and last
// nodes' GPUs only; on generated clusters that is the every-pair figure.
TEST(Topology, DiameterFromTheEndNodesEqualsTheEveryPairDiameter) {
  for (const auto& t : {build_fat_tree(spec(16, 16)), build_multi_plane_fat_tree(spec(11, 16)), build_fat_tree(spec(11, 16))})
    EXPECT_EQ(diameter(t, 8), diameter(t, 1 << 30));
}

}  // namespace
}  // namespace moeplan::topology
