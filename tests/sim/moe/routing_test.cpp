#include "sim/moe/routing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>

namespace moeplan::moe {
namespace {

// DeepSeek-V3's MoE layer in its training EP group: 256 experts, top-8, 8
// groups with top-4, EP64 over 8 nodes of 8 GPUs.
RoutingShape deepseek_shape(long long tokens_per_gpu) {
  RoutingShape s;
  s.experts = 256;
  s.top_k = 8;
  s.expert_groups = 8;
  s.groups_per_token = 4;
  s.ep = 64;
  s.gpus_per_node = 8;
  s.tokens_per_gpu = tokens_per_gpu;
  return s;
}

RoutingSpec spec_with(RoutingDistribution d, int node_limit, std::uint64_t seed = 7) {
  RoutingSpec spec;
  spec.distribution = d;
  spec.zipf_s = 1.2;
  spec.node_limit = node_limit;
  spec.seed = seed;
  return spec;
}

// Groups that do not coincide with nodes (16 groups of 16, top-6), so the
// group and node limits constrain different things.
RoutingShape crossed_shape() {
  auto s = deepseek_shape(512);
  s.expert_groups = 16;
  s.groups_per_token = 6;
  return s;
}

TEST(Routing, NodeLimitedTokensReachAtMostMNodesWithDistinctPicksInAllowedGroups) {
  const auto shape = crossed_shape();
  const auto placement = contiguous_placement(256, 64);
  for (const auto d : {RoutingDistribution::uniform, RoutingDistribution::zipf}) {
    for (const int m : {1, 2, 3, 4}) {
      const auto tokens = sample_token_routes(spec_with(d, m), shape, placement, 3, 5, 2000);
      for (const auto& t : tokens) {
        ASSERT_EQ(t.experts.size(), 8u);
        EXPECT_EQ(std::set<int>(t.experts.begin(), t.experts.end()).size(), 8u) << "picks must be distinct";
        std::set<int> nodes, groups;
        for (std::size_t i = 0; i < t.slots.size(); ++i) {
          nodes.insert(placement.gpu_of_slot(t.slots[i]) / 8);
          groups.insert(t.experts[i] / 16);
          EXPECT_EQ(placement.phy2log[t.slots[i]], t.experts[i]);
        }
        EXPECT_LE(static_cast<int>(nodes.size()), m);
        EXPECT_LE(groups.size(), 6u);
      }
    }
  }
}

TEST(Routing, GroupLimitedTokensUseAtMostTheirGroupsPerToken) {
  const auto shape = deepseek_shape(256);
  const auto placement = contiguous_placement(256, 64);
  for (const auto& t : sample_token_routes(spec_with(RoutingDistribution::zipf, 0), shape, placement, 0, 0, 4000)) {
    std::set<int> groups;
    for (const int e : t.experts) groups.insert(e / 32);
    EXPECT_LE(groups.size(), 4u);
  }
}

TEST(Routing, NodeLimitHoldsWithEplbReplicasOnSeveralNodes) {
  const auto shape = deepseek_shape(256);
  const auto spec = spec_with(RoutingDistribution::zipf, 2);
  const auto p = expert_probabilities(spec, 256, 1);
  const auto placement = eplb_placement({p}, EplbConfig{320, 1, 8, 64}).front();  // global: replicas anywhere
  for (const auto& t : sample_token_routes(spec, shape, placement, 1, 9, 3000)) {
    std::set<int> nodes;
    for (const int slot : t.slots) nodes.insert(placement.gpu_of_slot(slot) / 8);
    EXPECT_LE(nodes.size(), 2u);
  }
}

TEST(Routing, ConservesTokensAcrossDispatchAndCombine) {
  for (const long long tokens : {4096LL, 1000LL, 100LL}) {
    const auto shape = deepseek_shape(tokens);
    const auto r = route_layer(spec_with(RoutingDistribution::zipf, 4), shape, contiguous_placement(256, 64), 2);
    long long dispatched = 0, combined = 0;
    for (int src = 0; src < 64; ++src) {
      EXPECT_EQ(r.sent(src), tokens * 8) << "source " << src;
      long long back = 0;
      for (int dst = 0; dst < 64; ++dst) back += r.combine_copies(dst, src);
      EXPECT_EQ(back, tokens * 8);
      dispatched += r.sent(src);
      combined += back;
      for (int n = 0; n < 8; ++n) EXPECT_LE(r.distinct_tokens(src, n), tokens);
    }
    EXPECT_EQ(combined, dispatched);
    EXPECT_EQ(std::accumulate(r.expert_tokens.begin(), r.expert_tokens.end(), 0LL), 64 * tokens * 8);
    EXPECT_EQ(std::accumulate(r.slot_tokens.begin(), r.slot_tokens.end(), 0LL), 64 * tokens * 8);
  }
}

// A dispatched shared expert on 16 of EP64's GPUs: every token sends one more
// copy, spread evenly: with 64 sources of `tokens` each over 16 replicas, each
// replica gets 64 x tokens / 16 (the remainders rotate with the source). The
// routed copies are those of the same layer without it; a node's distinct
// tokens grow by at most the shared copies it receives.
TEST(Routing, DispatchedSharedExpertTakesOneCopyOfEveryTokenSpreadOverItsReplicas) {
  for (const long long tokens : {4096LL, 100LL, 7LL}) {
    const auto shape = deepseek_shape(tokens);
    const auto spec = spec_with(RoutingDistribution::zipf, 4);
    const auto routed_only = contiguous_placement(256, 64);
    auto with_shared = routed_only;
    for (int g = 0; g < 64; g += 4) with_shared.shared_gpus.push_back(g);
    const auto a = route_layer(spec, shape, routed_only, 2);
    const auto b = route_layer(spec, shape, with_shared, 2);
    long long shared_total = 0;
    for (int g = 0; g < 64; ++g) {
      EXPECT_EQ(b.shared_tokens[g], g % 4 == 0 ? 64 * tokens / 16 : 0) << g;
      shared_total += b.shared_tokens[g];
      EXPECT_EQ(a.shared_tokens[g], 0);
    }
    EXPECT_EQ(shared_total, 64 * tokens);
    for (int src = 0; src < 64; ++src) {
      EXPECT_EQ(b.sent(src), tokens * 9) << src;
      long long shared_from_src = 0;
      for (int dst = 0; dst < 64; ++dst) {
        const long long extra = b.copies_between(src, dst) - a.copies_between(src, dst);
        if (dst % 4 != 0) {
          EXPECT_EQ(extra, 0);
        } else {
          EXPECT_GE(extra, tokens / 16);
          EXPECT_LE(extra, tokens / 16 + 1);
        }
        shared_from_src += extra;
      }
      EXPECT_EQ(shared_from_src, tokens);
      for (int n = 0; n < 8; ++n) {
        long long to_node = 0;
        for (int dst = n * 8; dst < n * 8 + 8; ++dst) to_node += b.copies_between(src, dst) - a.copies_between(src, dst);
        EXPECT_GE(b.distinct_tokens(src, n), a.distinct_tokens(src, n));
        EXPECT_LE(b.distinct_tokens(src, n), std::min(tokens, a.distinct_tokens(src, n) + to_node));
      }
    }
    EXPECT_EQ(b.slot_tokens, a.slot_tokens);
  }
}

TEST(Routing, FullSampleAgreesWithTheSampledTokenRoutes) {
  auto shape = deepseek_shape(64);
  shape.ep = 16;
  shape.gpus_per_node = 4;
  const auto spec = spec_with(RoutingDistribution::hot, 2);
  const auto placement = contiguous_placement(256, 16);
  const auto r = route_layer(spec, shape, placement, 4);
  ASSERT_EQ(r.sampled_tokens_per_gpu, 64);
  for (int src = 0; src < 16; ++src) {
    std::vector<long long> copies(16, 0), nodes(4, 0);
    for (const auto& t : sample_token_routes(spec, shape, placement, 4, src, 64)) {
      std::set<int> token_nodes;
      for (const int slot : t.slots) ++copies[placement.gpu_of_slot(slot)], token_nodes.insert(slot / 64);
      for (const int n : token_nodes) ++nodes[n];
    }
    for (int dst = 0; dst < 16; ++dst) EXPECT_EQ(r.copies_between(src, dst), copies[dst]);
    for (int n = 0; n < 4; ++n) EXPECT_EQ(r.distinct_tokens(src, n), nodes[n]);
  }
}

// Each sampled token puts X copies on a GPU, 0 <= X <= slots per GPU, with
// E[X] = k / ep by symmetry, so Var(X) <= E[X^2] <= (slots per GPU) k / ep.
// Summed over all sampled tokens and scaled by tokens / sample, a 5-sigma band
// plus one unit of largest-remainder rounding per slot and source.
TEST(Routing, UniformRoutingGivesEveryGpuTokensTimesKCopies) {
  const long long tokens = 4096;
  const auto shape = deepseek_shape(tokens);
  for (const int m : {0, 4}) {
    const auto spec = spec_with(RoutingDistribution::uniform, m);
    const auto r = route_layer(spec, shape, contiguous_placement(256, 64), 0);
    const double sampled_tokens = 64.0 * spec.sample_tokens;
    const double scale = static_cast<double>(tokens) / spec.sample_tokens;
    const double sigma = scale * std::sqrt(sampled_tokens * 4 * 8.0 / 64);
    const double tolerance = 5 * sigma + 64 * 4;
    for (int dst = 0; dst < 64; ++dst)
      EXPECT_NEAR(static_cast<double>(r.received(dst)), tokens * 8.0, tolerance) << "GPU " << dst << " M " << m;
  }
}

// Without limits a token's 8 distinct uniform picks miss a node's 32 experts
// with probability C(224, 8) / C(256, 8); distinct tokens per node follow.
TEST(Routing, UniformDistinctTokensPerNodeMatchTheHypergeometricClosedForm) {
  const long long tokens = 4096;
  auto shape = deepseek_shape(tokens);
  shape.groups_per_token = 8;
  const auto spec = spec_with(RoutingDistribution::uniform, 0);
  const auto r = route_layer(spec, shape, contiguous_placement(256, 64), 0);
  double miss = 1;
  for (int i = 0; i < 8; ++i) miss *= (224.0 - i) / (256.0 - i);
  const double q = 1 - miss;
  const double n = 64.0 * spec.sample_tokens;
  const double scale = static_cast<double>(tokens) / spec.sample_tokens;
  for (int node = 0; node < 8; ++node) {
    long long total = 0;
    for (int src = 0; src < 64; ++src) total += r.distinct_tokens(src, node);
    EXPECT_NEAR(static_cast<double>(total), 64.0 * tokens * q, 5 * scale * std::sqrt(n * q * (1 - q)) + 64)
        << "node " << node;
  }
}

TEST(Routing, SameSeedGivesIdenticalOutputAndAnotherSeedAnotherSample) {
  const auto shape = deepseek_shape(4096);
  const auto placement = contiguous_placement(256, 64);
  const auto a = route_layer(spec_with(RoutingDistribution::zipf, 4, 7), shape, placement, 5);
  const auto b = route_layer(spec_with(RoutingDistribution::zipf, 4, 7), shape, placement, 5);
  const auto c = route_layer(spec_with(RoutingDistribution::zipf, 4, 8), shape, placement, 5);
  EXPECT_EQ(a.copies, b.copies);
  EXPECT_EQ(a.node_tokens, b.node_tokens);
  EXPECT_EQ(a.expert_tokens, b.expert_tokens);
  EXPECT_NE(a.copies, c.copies);
  EXPECT_NE(a.expert_tokens, c.expert_tokens);
}

TEST(Routing, ZipfAndHotProbabilitiesFollowTheirClosedForms) {
  RoutingSpec spec = spec_with(RoutingDistribution::zipf, 0);
  auto p = expert_probabilities(spec, 64, 3);
  std::sort(p.begin(), p.end(), std::greater<>());
  double h = 0;
  for (int r = 1; r <= 64; ++r) h += std::pow(r, -1.2);
  for (int r = 0; r < 64; ++r) EXPECT_NEAR(p[r], std::pow(r + 1, -1.2) / h, 1e-12);
  EXPECT_NE(expert_probabilities(spec, 64, 3), expert_probabilities(spec, 64, 4)) << "hot experts differ per layer";

  spec.distribution = RoutingDistribution::hot;
  spec.hot_fraction = 0.3;
  spec.hot_experts = 4;
  p = expert_probabilities(spec, 64, 0);
  EXPECT_EQ(std::count_if(p.begin(), p.end(), [](double v) { return std::abs(v - 0.3 / 4) < 1e-15; }), 4);
  EXPECT_EQ(std::count_if(p.begin(), p.end(), [](double v) { return std::abs(v - 0.7 / 60) < 1e-15; }), 60);
}

TEST(Routing, MeasuredRoutingSendsNothingToExpertsWithoutLoad) {
  LoadStats stats;
  stats.file = "m.json";
  stats.tokens = {std::vector<double>(256, 0.0)};
  for (int e = 0; e < 256; e += 2) stats.tokens[0][e] = 1 + e;
  RoutingSpec spec = spec_with(RoutingDistribution::measured, 0);
  auto shape = deepseek_shape(1024);
  shape.groups_per_token = 8;
  const auto r = route_layer(spec, shape, contiguous_placement(256, 64), 0, &stats);
  for (int e = 1; e < 256; e += 2) EXPECT_EQ(r.expert_tokens[e], 0) << "expert " << e;
  EXPECT_GT(r.expert_tokens[254], r.expert_tokens[2]);
}

TEST(Routing, ReplicasOfAnExpertShareItsTokensRoundRobin) {
  auto shape = deepseek_shape(256);  // sample == tokens: no scaling
  shape.groups_per_token = 8;
  const auto spec = spec_with(RoutingDistribution::zipf, 0);
  const auto placement = eplb_placement({expert_probabilities(spec, 256, 0)}, EplbConfig{320, 8, 8, 64}).front();
  const auto r = route_layer(spec, shape, placement, 0);
  for (int e = 0; e < 256; ++e) {
    if (placement.logcnt[e] < 2) continue;
    long long lo = r.slot_tokens[placement.log2phy[e][0]], hi = lo;
    for (int i = 1; i < placement.logcnt[e]; ++i) {
      lo = std::min(lo, r.slot_tokens[placement.log2phy[e][i]]);
      hi = std::max(hi, r.slot_tokens[placement.log2phy[e][i]]);
    }
    EXPECT_LE(hi - lo, 64) << "expert " << e << ": at most one copy apart per source";
  }
}

TEST(Routing, RejectsAPlacementForAnotherGroupSize) {
  EXPECT_THROW(route_layer(RoutingSpec{}, deepseek_shape(16), contiguous_placement(256, 32), 0),
               std::invalid_argument);
}

TEST(Routing, RejectsANodeLimitThatCannotHoldTopK) {
  auto shape = deepseek_shape(16);
  shape.experts = 64;  // 8 experts per node of 8 GPUs
  shape.expert_groups = 1;
  shape.groups_per_token = 1;
  shape.top_k = 12;
  RoutingSpec one_node;
  one_node.node_limit = 1;
  try {
    route_layer(one_node, shape, contiguous_placement(64, 64), 0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("raise node_limit"), std::string::npos) << e.what();
  }
}

// ---- the router against a plain sort-based reference, on the same keys ----
//
// The reference follows the rules of routing.h with whole sorts and no
// shortcuts (key_e = Exp(1) / p_e, smaller is better; a sum of scores ranks
// like the product of keys; ties go to the lower index):
//   1. groups by the product of their two smallest keys; the best
//      groups_per_token stay;
//   2. with a node limit M below the node count: nodes by the product of the
//      top_k / M smallest allowed keys of experts with a replica there; the
//      best M stay; if the allowed experts on them are fewer than top_k, the
//      group limit is dropped and the nodes ranked again;
//   3. the top_k allowed experts (on the kept nodes), by key.

// Indices of `score` in order of increasing score, ties by index.
std::vector<int> ranked(const std::vector<double>& score) {
  std::vector<int> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] < score[b]; });
  return order;
}

// Product of the `count` smallest of `keys` (all of them when fewer); +inf for none.
double product_of_smallest(std::vector<double> keys, int count) {
  if (keys.empty()) return std::numeric_limits<double>::infinity();
  std::sort(keys.begin(), keys.end());
  double product = 1;
  for (int i = 0; i < std::min<int>(count, static_cast<int>(keys.size())); ++i) product *= keys[i];
  return product;
}

std::vector<int> reference_choice(const RoutingShape& s, const Placement& placement, int node_limit,
                                  const std::vector<double>& keys) {
  const int size = s.experts / s.expert_groups, nodes = s.nodes(), k = s.top_k;
  // 1. Group limit.
  std::vector<double> group_score(s.expert_groups);
  for (int g = 0; g < s.expert_groups; ++g)
    group_score[g] = product_of_smallest({keys.begin() + g * size, keys.begin() + (g + 1) * size}, 2);
  std::vector<char> group_allowed(s.expert_groups, 1);
  if (s.groups_per_token < s.expert_groups) {
    std::fill(group_allowed.begin(), group_allowed.end(), 0);
    const auto order = ranked(group_score);
    for (int i = 0; i < s.groups_per_token; ++i) group_allowed[order[i]] = 1;
  }
  auto by_key = [&](std::vector<int> experts) {
    std::stable_sort(experts.begin(), experts.end(), [&](int a, int b) { return keys[a] < keys[b]; });
    experts.resize(static_cast<std::size_t>(k));
    return experts;
  };
  const int m = node_limit > 0 && node_limit < nodes ? node_limit : nodes;
  if (m == nodes) {
    std::vector<int> allowed;
    for (int e = 0; e < s.experts; ++e)
      if (group_allowed[e / size]) allowed.push_back(e);
    return by_key(allowed);
  }
  // 2. Node limit, on the experts `allowed` leaves; empty when fewer than k remain.
  const int slots_per_node = placement.slots() / nodes;
  auto on_best_nodes = [&](const std::vector<char>& allowed) {
    std::vector<std::set<int>> experts_on(nodes);
    for (int slot = 0; slot < placement.slots(); ++slot)
      if (allowed[placement.phy2log[slot]]) experts_on[slot / slots_per_node].insert(placement.phy2log[slot]);
    std::vector<double> node_score(nodes);
    for (int n = 0; n < nodes; ++n) {
      std::vector<double> node_keys;
      for (const int e : experts_on[n]) node_keys.push_back(keys[e]);
      node_score[n] = product_of_smallest(node_keys, std::max(1, k / m));
    }
    const auto order = ranked(node_score);
    std::set<int> candidates;
    for (int i = 0; i < m; ++i) candidates.insert(experts_on[order[i]].begin(), experts_on[order[i]].end());
    if (static_cast<int>(candidates.size()) < k) return std::vector<int>{};
    return by_key({candidates.begin(), candidates.end()});
  };
  std::vector<char> allowed(s.experts);
  for (int e = 0; e < s.experts; ++e) allowed[e] = group_allowed[e / size];
  auto chosen = on_best_nodes(allowed);
  if (chosen.empty()) chosen = on_best_nodes(std::vector<char>(s.experts, 1));
  if (chosen.empty()) throw std::invalid_argument("reference: node limit cannot hold top-k");
  return chosen;
}

struct ReferenceAgreement {
  int tokens = 0;
  int by_group_tops = 0;  // tokens the fast path chose
};

// Feeds `tokens` random key vectors (Exp(1) / p_e with zipf probabilities)
// to the router and to the reference, and requires identical choices.
ReferenceAgreement expect_router_matches_reference(const RoutingShape& shape, const Placement& placement,
                                                   int node_limit, int tokens, std::uint64_t seed) {
  const auto p = expert_probabilities(spec_with(RoutingDistribution::zipf, 0, seed), shape.experts, 0);
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> exp1(1.0);
  ReferenceAgreement a;
  std::vector<double> keys(static_cast<std::size_t>(shape.experts));
  for (int t = 0; t < tokens; ++t) {
    for (int e = 0; e < shape.experts; ++e) keys[e] = exp1(rng) / p[e];
    const auto choice = choose_experts_for_keys(shape, placement, node_limit, keys);
    const auto expected = reference_choice(shape, placement, node_limit, keys);
    EXPECT_EQ(choice.experts, expected) << "token " << t << ", node limit " << node_limit;
    if (choice.experts != expected) break;  // one failure tells the story
    ++a.tokens;
    a.by_group_tops += choice.by_group_tops;
  }
  return a;
}

// Contiguous placement: every group on one node, so with no node limit, or
// one that ranks nodes on at most 2 keys (top_k / M <= 2), the fast path runs.
TEST(Routing, GroupTopsFastPathPicksWhatASortBasedReferencePicks) {
  const auto placement = contiguous_placement(256, 64);
  for (const int m : {0, 4, 5, 7}) {  // top_k / M: -, 2, 1, 1
    const auto a = expect_router_matches_reference(deepseek_shape(1), placement, m, 2000, 11 + m);
    EXPECT_EQ(a.tokens, 2000);
    EXPECT_EQ(a.by_group_tops, a.tokens) << "M " << m << ": the fast path should choose every token";
  }
  for (const int m : {3, 4}) {  // groups of 16, two per node
    const auto a = expect_router_matches_reference(crossed_shape(), placement, m, 2000, 23 + m);
    EXPECT_EQ(a.tokens, 2000);
    EXPECT_EQ(a.by_group_tops, a.tokens) << "crossed groups, M " << m;
  }
}

// 32 groups of 2 experts, top-4 groups, top-8, 4 nodes of 16 experts: with
// M = 3 the kept groups often leave fewer than 8 experts on the best nodes,
// so the fast path gives up and the group limit is dropped.
TEST(Routing, GroupTopsFastPathFallsBackAsTheReferenceDoes) {
  RoutingShape shape;
  shape.experts = 64;
  shape.top_k = 8;
  shape.expert_groups = 32;
  shape.groups_per_token = 4;
  shape.ep = 8;
  shape.gpus_per_node = 2;
  const auto a = expect_router_matches_reference(shape, contiguous_placement(64, 8), 3, 3000, 5);
  EXPECT_EQ(a.tokens, 3000);
  EXPECT_GT(a.by_group_tops, 0) << "some tokens keep enough experts for the fast path";
  EXPECT_LT(a.by_group_tops, a.tokens) << "some tokens must fall back";
}

// Nodes ranked on more than 2 keys (top_k / M > 2), or replicas on several
// nodes: the general path chooses, and must agree with the reference too.
TEST(Routing, GeneralPathPicksWhatASortBasedReferencePicks) {
  for (const int m : {1, 2}) {  // top_k / M: 8, 4
    const auto a = expect_router_matches_reference(crossed_shape(), contiguous_placement(256, 64), m, 1000, 31 + m);
    EXPECT_EQ(a.tokens, 1000);
    EXPECT_EQ(a.by_group_tops, 0) << "M " << m;
  }
  const auto p = expert_probabilities(spec_with(RoutingDistribution::zipf, 2), 256, 1);
  const auto eplb = eplb_placement({p}, EplbConfig{320, 1, 8, 64}).front();  // replicas on several nodes
  const auto a = expect_router_matches_reference(deepseek_shape(1), eplb, 4, 1000, 41);
  EXPECT_EQ(a.tokens, 1000);
  EXPECT_EQ(a.by_group_tops, 0);
}

// Not a correctness claim: prints the wall time of one DeepSeek-V3 layer
// (EP64, 256 sampled tokens per GPU, M = 4) and guards against regressions.
TEST(Routing, OneEp64LayerRoutesInWellUnderFiftyMilliseconds) {
  const auto shape = deepseek_shape(4096);
  const auto spec = spec_with(RoutingDistribution::zipf, 4);
  const auto placement = contiguous_placement(256, 64);
  route_layer(spec, shape, placement, 0);  // warm-up
  const auto start = std::chrono::steady_clock::now();
  const int repeats = 5;
  for (int l = 0; l < repeats; ++l) route_layer(spec, shape, placement, l);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeats;
  std::printf("[ timing   ] route_layer EP64, 256 experts top-8, M=4, 256 tokens/GPU sampled: %.2f ms\n", ms);
  EXPECT_LT(ms, 200.0) << "generous bound for a loaded machine; the target is well under 50 ms";
}

}  // namespace
}  // namespace moeplan::moe
