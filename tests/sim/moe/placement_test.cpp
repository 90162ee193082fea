#include "sim/moe/placement.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

namespace moeplan::moe {
namespace {

using Rows = std::vector<std::vector<int>>;

// Hand-worked, hierarchical policy: 8 experts in 4 groups of 2, 2 nodes,
// 4 GPUs, R = 12 (4 redundant, 3 slots per GPU).
//
// Layer 0, load [90 10 40 40 20 20 5 5]; group loads g0..g3 = 100 80 40 10.
//  Groups -> nodes, by decreasing load: g0 -> node 0 (tie, first); g1 -> node 1
//  (0 < 100); g2 -> node 1 (80 < 100); g3 -> node 0 (node 1 full).
//  Node 0 holds experts 0 1 6 7 (loads 90 10 5 5): both extra slots go to
//  expert 0 (90/1, then 90/2 = 45 > 10); replica weights 30 10 5 5 | 30 30.
//  Packing by decreasing weight, stable: 30(e0 r0) -> GPU0, 30(e0 r1) -> GPU1,
//  30(e0 r2) -> GPU0 (tie), 10(e1) -> GPU1, 5(e6) -> GPU1, 5(e7) -> GPU0 (GPU1
//  full). GPU0 slots 0 1 2 = e0 r0, e0 r2, e7; GPU1 slots 3 4 5 = e0 r1, e1, e6.
//  Node 1 holds experts 2 3 4 5 (loads 40 40 20 20): extra slot 1 to expert 2
//  (tie 40/40, first), extra slot 2 to expert 3 (40 > 20); every replica
//  weighs 20, so packing alternates GPU2, GPU3 in stable order: GPU2 slots
//  6 7 8 = e2 r0, e4, e2 r1; GPU3 slots 9 10 11 = e3 r0, e5, e3 r1.
//  GPU loads 65 45 60 60.
// Layer 1, load [3 3 3 3 12 0 0 0]; group loads 6 6 12 0.
//  g2 -> node 0, g0 -> node 1, g1 -> node 1 (6 < 12), g3 -> node 0.
//  Node 0 holds experts 4 5 6 7 (12 0 0 0): both extras to expert 4; replica
//  weights 4 0 0 0 | 4 4; packing: e4 r0 -> GPU0, e4 r1 -> GPU1, e4 r2 -> GPU0,
//  e5 -> GPU1, e6 -> GPU1, e7 -> GPU0: slots 0..5 = e4 e4 e7 | e4 e5 e6.
//  Node 1 holds experts 0 1 2 3 (3 3 3 3): extras to expert 0 (tie, first),
//  then expert 1 (3 > 1.5); replica weights 1.5 1.5 3 3 | 1.5 1.5; packing:
//  e2 -> GPU2, e3 -> GPU3, e0 r0 -> GPU2, e1 r0 -> GPU3, e0 r1 -> GPU2,
//  e1 r1 -> GPU3: slots 6..11 = e2 e0 e0 | e3 e1 e1. GPU loads 8 4 6 6.
TEST(Eplb, HierarchicalPolicyMatchesAHandWorkedTwoNodeExample) {
  const std::vector<std::vector<double>> load = {{90, 10, 40, 40, 20, 20, 5, 5}, {3, 3, 3, 3, 12, 0, 0, 0}};
  const EplbConfig config{12, 4, 2, 4};
  ASSERT_TRUE(eplb_is_hierarchical(config));
  const auto p = eplb_placement(load, config);
  ASSERT_EQ(p.size(), 2u);

  EXPECT_EQ(p[0].phy2log, (std::vector<int>{0, 0, 7, 0, 1, 6, 2, 4, 2, 3, 5, 3}));
  EXPECT_EQ(p[0].logcnt, (std::vector<int>{3, 1, 2, 2, 1, 1, 1, 1}));
  EXPECT_EQ(p[0].log2phy, (Rows{{0, 3, 1}, {4, -1, -1}, {6, 8, -1}, {9, 11, -1},
                                {7, -1, -1}, {10, -1, -1}, {5, -1, -1}, {2, -1, -1}}));
  EXPECT_EQ(gpu_loads(p[0], load[0]), (std::vector<double>{65, 45, 60, 60}));

  EXPECT_EQ(p[1].phy2log, (std::vector<int>{4, 4, 7, 4, 5, 6, 2, 0, 0, 3, 1, 1}));
  EXPECT_EQ(p[1].logcnt, (std::vector<int>{2, 2, 1, 1, 3, 1, 1, 1}));
  EXPECT_EQ(p[1].log2phy, (Rows{{7, 8, -1}, {10, 11, -1}, {6, -1, -1}, {9, -1, -1},
                                {0, 3, 1}, {4, -1, -1}, {5, -1, -1}, {2, -1, -1}}));
  EXPECT_EQ(gpu_loads(p[1], load[1]), (std::vector<double>{8, 4, 6, 6}));
  EXPECT_DOUBLE_EQ(imbalance(gpu_loads(p[1], load[1])), 8.0 / 6.0);
}

// Hand-worked, global policy (3 groups do not split over 2 nodes): 6 experts,
// 2 GPUs, R = 8. Extras: expert 0 (6), then expert 3 (4 > 6/2). Replica
// weights 3 1 1 2 2 2 | 3 2; stable decreasing: e0 r0 -> GPU0, e0 r1 -> GPU1,
// e3 r0 -> GPU0, e4 -> GPU1, e5 -> GPU0, e3 r1 -> GPU1, e1 -> GPU0, e2 -> GPU1.
TEST(Eplb, GlobalPolicyMatchesAHandWorkedExample) {
  const EplbConfig config{8, 3, 2, 2};
  ASSERT_FALSE(eplb_is_hierarchical(config));
  const auto p = eplb_placement({{6, 1, 1, 4, 2, 2}}, config);
  EXPECT_EQ(p[0].phy2log, (std::vector<int>{0, 3, 5, 1, 0, 4, 3, 2}));
  EXPECT_EQ(p[0].logcnt, (std::vector<int>{2, 1, 1, 2, 1, 1}));
  EXPECT_EQ(p[0].log2phy, (Rows{{0, 4}, {3, -1}, {7, -1}, {1, 6}, {5, -1}, {2, -1}}));
  EXPECT_EQ(gpu_loads(p[0], {6, 1, 1, 4, 2, 2}), (std::vector<double>{8, 8}));
}

// The global policy places over one node whatever --nodes says, so a GPU
// count that the nodes do not divide is fine there: the same placement as
// the hand-worked example above with 3 nodes.
TEST(Eplb, GlobalPolicyTakesAGpuCountTheNodesDoNotDivide) {
  const EplbConfig config{8, 3, 4, 2};  // 3 groups over 4 nodes: global; 2 GPUs over 4 nodes
  ASSERT_FALSE(eplb_is_hierarchical(config));
  const auto p = eplb_placement({{6, 1, 1, 4, 2, 2}}, config);
  EXPECT_EQ(p[0].phy2log, (std::vector<int>{0, 3, 5, 1, 0, 4, 3, 2}));
}

TEST(Eplb, BalancedPackingTakesTheFirstLightestPackOnTies) {
  const auto packing = balanced_packing({5, 5, 5, 5}, 2);
  EXPECT_EQ(packing.pack, (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(packing.rank_in_pack, (std::vector<int>{0, 0, 1, 1}));
}

TEST(Eplb, ReplicationGivesExtraSlotsToTheLargestLoadPerReplica) {
  const auto rep = replicate_experts({4, 9, 2}, 6);
  // 9 -> expert 1 (cnt 2, 4.5); 4.5 > 4 -> expert 1 again (cnt 3, 3); 4 > 3 -> expert 0.
  EXPECT_EQ(rep.phy2log, (std::vector<int>{0, 1, 2, 1, 1, 0}));
  EXPECT_EQ(rep.rank, (std::vector<int>{0, 0, 0, 1, 2, 1}));
  EXPECT_EQ(rep.logcnt, (std::vector<int>{2, 3, 1}));
}

std::vector<std::vector<double>> random_load(std::mt19937_64& rng, int layers, int experts) {
  std::lognormal_distribution<double> skewed(0.0, 1.0);
  std::vector<std::vector<double>> load(layers, std::vector<double>(experts));
  for (auto& row : load)
    for (auto& v : row) v = std::round(1000 * skewed(rng));
  return load;
}

TEST(Eplb, EveryExpertHasAReplicaAndEveryGpuHasRByGpusSlots) {
  std::mt19937_64 rng(11);
  for (const EplbConfig config : {EplbConfig{72, 8, 2, 8}, EplbConfig{80, 8, 4, 16}, EplbConfig{66, 3, 2, 6}}) {
    const auto load = random_load(rng, 4, 64);
    for (const auto& p : eplb_placement(load, config)) {
      ASSERT_EQ(p.slots(), config.replicas);
      std::vector<int> per_gpu(config.gpus, 0);
      for (int slot = 0; slot < p.slots(); ++slot) ++per_gpu[p.gpu_of_slot(slot)];
      EXPECT_EQ(per_gpu, std::vector<int>(config.gpus, config.replicas / config.gpus));
      for (int e = 0; e < 64; ++e) {
        EXPECT_GE(p.logcnt[e], 1) << "expert " << e;
        for (int r = 0; r < p.logcnt[e]; ++r) EXPECT_EQ(p.phy2log[p.log2phy[e][r]], e);
      }
    }
  }
}

TEST(Eplb, ImbalanceIsNeverWorseThanContiguousOnRandomLoads) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    const auto load = random_load(rng, 2, 64);
    const EplbConfig config{seed % 2 == 1 ? 64 + 16 : 64, 8, 2, 16};
    const auto p = eplb_placement(load, config);
    const auto contiguous = contiguous_placement(64, 16);
    for (int l = 0; l < 2; ++l)
      EXPECT_LE(imbalance(gpu_loads(p[l], load[l])), imbalance(gpu_loads(contiguous, load[l])) + 1e-12)
          << "seed " << seed << " layer " << l;
  }
}

TEST(Placement, ContiguousPutsExpertEOnGpuEOverExpertsPerGpu) {
  const auto p = contiguous_placement(256, 64);
  for (int e = 0; e < 256; ++e) {
    EXPECT_EQ(p.gpu_of_slot(p.log2phy[e][0]), e / 4);
    EXPECT_EQ(p.logcnt[e], 1);
  }
}

// Loads 4, 1, 3, 1 on four GPUs: the two least loaded are GPUs 1 and 3; on a
// tie the lower index goes first (GPU 0 over GPU 2 at loads 2, 5, 2, 5).
TEST(Placement, SharedExpertReplicasGoToTheLeastLoadedGpus) {
  const auto p = contiguous_placement(4, 4);
  EXPECT_EQ(least_loaded_gpus(p, {4, 1, 3, 1}, 2), (std::vector<int>{1, 3}));
  EXPECT_EQ(least_loaded_gpus(p, {2, 5, 2, 5}, 1), (std::vector<int>{0}));
  EXPECT_EQ(least_loaded_gpus(p, {2, 5, 2, 5}, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_THROW(least_loaded_gpus(p, {1, 1, 1, 1}, 0), std::invalid_argument);
  EXPECT_THROW(least_loaded_gpus(p, {1, 1, 1, 1}, 5), std::invalid_argument);
}

// EPLB, uniform load, 16 experts + 8 redundant over 24 GPUs: one slot per
// GPU; the 8 replicated experts' 16 GPUs carry half an expert's load each, the
// other 8 a whole one; the 8 shared replicas go to half-loaded GPUs.
TEST(Placement, SharedExpertGpusAreAmongTheHalfLoadedReplicaHolders) {
  PlacementSpec spec;
  spec.policy = PlacementPolicy::eplb;
  spec.redundant_experts = 8;
  spec.shared_expert_gpus = 8;
  const std::vector<double> load(16, 1.0 / 16);
  const auto p = place_layer(spec, load, 1, 24, 8);
  ASSERT_EQ(p.shared_gpus.size(), 8u);
  const auto gpu_load = gpu_loads(p, load);
  for (int g : p.shared_gpus) EXPECT_DOUBLE_EQ(gpu_load[g], 0.5 / 16) << g;
  EXPECT_TRUE(std::is_sorted(p.shared_gpus.begin(), p.shared_gpus.end()));
}

TEST(Placement, ImbalanceIsMaxOverMean) {
  EXPECT_DOUBLE_EQ(imbalance({1, 2, 3, 6}), 6.0 / 3.0);
  EXPECT_DOUBLE_EQ(imbalance({0, 0}), 1.0);
}

void expect_invalid(const EplbConfig& config, const std::string& needle) {
  try {
    eplb_placement({{1, 2, 3, 4, 5, 6, 7, 8}}, config);
    FAIL() << "expected std::invalid_argument mentioning " << needle;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Eplb, RejectsInconsistentSizesWithTheOffendingValue) {
  expect_invalid({10, 4, 2, 4}, "R = 10 is not a multiple of gpus = 4");
  expect_invalid({12, 4, 2, 3}, "gpus = 3 is not a multiple of nodes = 2");
  expect_invalid({4, 4, 2, 4}, "R = 4 is below the 8 logical experts");
  expect_invalid({12, 3, 1, 4}, "do not split into groups = 3");
  EXPECT_THROW(contiguous_placement(10, 4), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::moe
