// Gating kernel vs CPU reference: identical expert selection (ties included),
// weights within a few fp32 ulps, every token inside its group and node limits.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "gating/gating.h"
#include "gating/gating_reference.h"
#include "gating/portable_sigmoid.h"
#include "gpu_test_support.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

GatingConfig deepseek_config() { return GatingConfig{}; }

GatingConfig deepseek_node_limited_config() {  // EP64 over 8 nodes: 32 experts per node, M = 4
  GatingConfig c;
  c.num_nodes_ = 8;
  c.max_nodes_ = 4;
  return c;
}

GatingConfig fine_nodes_config() {  // 32 nodes of 8 experts inside groups of 32, M = 4
  GatingConfig c;
  c.num_nodes_ = 32;
  c.max_nodes_ = 4;
  return c;
}

GatingConfig small_config() {  // 96 experts: lanes hold a partial set of slots
  GatingConfig c;
  c.num_experts_ = 96;
  c.num_groups_ = 3;
  c.topk_groups_ = 2;
  c.topk_ = 6;
  c.num_nodes_ = 12;
  c.max_nodes_ = 3;
  c.routed_scale_ = 1.0f;
  return c;
}

struct GatingInputs {
  std::vector<float> logits_;
  std::vector<float> bias_;
};

// `tie_step` > 0 rounds logits and bias to multiples of it, so exact ties are common.
GatingInputs random_inputs(int tokens, const GatingConfig& c, std::uint64_t seed, float tie_step) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> logit(0.0f, 2.0f);
  std::uniform_real_distribution<float> bias(-0.1f, 0.1f);
  GatingInputs in;
  in.logits_.resize(static_cast<std::size_t>(tokens) * static_cast<std::size_t>(c.num_experts_));
  in.bias_.resize(static_cast<std::size_t>(c.num_experts_));
  for (auto& v : in.logits_) v = tie_step > 0 ? std::round(logit(rng) / tie_step) * tie_step : logit(rng);
  for (auto& v : in.bias_) v = tie_step > 0 ? std::round(bias(rng) / 0.05f) * 0.05f : bias(rng);
  return in;
}

void expect_within_limits(const std::vector<std::int32_t>& experts, int tokens,
                          const GatingConfig& c) {
  for (int t = 0; t < tokens; ++t) {
    std::set<int> chosen, groups, nodes;
    for (int k = 0; k < c.topk_; ++k) {
      const int e = experts[static_cast<std::size_t>(t * c.topk_ + k)];
      ASSERT_GE(e, 0);
      ASSERT_LT(e, c.num_experts_);
      chosen.insert(e);
      groups.insert(e / c.experts_per_group());
      nodes.insert(e / c.experts_per_node());
    }
    ASSERT_EQ(static_cast<int>(chosen.size()), c.topk_) << "token " << t << " repeats an expert";
    ASSERT_LE(static_cast<int>(groups.size()), c.topk_groups_) << "token " << t;
    if (c.node_limited()) {
      ASSERT_LE(static_cast<int>(nodes.size()), c.max_nodes_) << "token " << t;
    }
  }
}

void expect_kernel_matches_reference(int tokens, const GatingConfig& c, float tie_step) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + ", tokens " + std::to_string(tokens));
  const GatingInputs in = random_inputs(tokens, c, seed, tie_step);
  const auto pairs = static_cast<std::size_t>(tokens) * static_cast<std::size_t>(c.topk_);
  std::vector<std::int32_t> want_experts(pairs);
  std::vector<float> want_weights(pairs);
  gating_reference(in.logits_, in.bias_, tokens, c, want_experts, want_weights);
  expect_within_limits(want_experts, tokens, c);

  DeviceBuffer<float> logits{std::span<const float>(in.logits_)};
  DeviceBuffer<float> bias{std::span<const float>(in.bias_)};
  DeviceBuffer<std::int32_t> experts(pairs);
  DeviceBuffer<float> weights(pairs);
  experts.poison(0x7f);
  weights.poison(0xff);
  launch_gating(logits.data(), bias.data(), tokens, c, experts.data(), weights.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto got_experts = experts.download();
  const auto got_weights = weights.download();

  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < pairs; ++i) {
    if (got_experts[i] != want_experts[i] && mismatches++ < 5) {
      ADD_FAILURE() << "pair " << i << " (token " << i / static_cast<std::size_t>(c.topk_)
                    << "): kernel chose expert " << got_experts[i] << ", reference "
                    << want_experts[i];
    }
    // Same selection and the same float operations: a few fp32 ulps at most.
    EXPECT_NEAR(got_weights[i], want_weights[i], 4 * FLT_EPSILON * std::fabs(want_weights[i]))
        << "pair " << i;
  }
  EXPECT_EQ(mismatches, 0u);
  expect_within_limits(got_experts, tokens, c);
}

TEST(PortableSigmoid, MatchesFloat64SigmoidWithinFewUlps) {
  for (double x = -30.0; x <= 30.0; x += 0.001) {
    const double want = 1.0 / (1.0 + std::exp(-x));
    const float got = portable_sigmoid(static_cast<float>(x));
    const double want_f = 1.0 / (1.0 + std::exp(-static_cast<double>(static_cast<float>(x))));
    ASSERT_NEAR(got, want_f, 4 * FLT_EPSILON * want_f) << "x " << x << " want " << want;
  }
}

TEST(GatingReference, KeepsEveryTokenWithinGroupAndNodeLimits) {
  for (const GatingConfig& c : {deepseek_config(), deepseek_node_limited_config(),
                                fine_nodes_config(), small_config()}) {
    const std::uint64_t seed = test::fresh_seed();
    SCOPED_TRACE("seed " + std::to_string(seed));
    const int tokens = 512;
    const GatingInputs in = random_inputs(tokens, c, seed, 0.0f);
    const auto pairs = static_cast<std::size_t>(tokens * c.topk_);
    std::vector<std::int32_t> experts(pairs);
    std::vector<float> weights(pairs);
    gating_reference(in.logits_, in.bias_, tokens, c, experts, weights);
    expect_within_limits(experts, tokens, c);
    for (int t = 0; t < tokens; ++t) {
      double sum = 0.0;
      for (int k = 0; k < c.topk_; ++k) sum += weights[static_cast<std::size_t>(t * c.topk_ + k)];
      ASSERT_NEAR(sum, c.routed_scale_, 1e-5 * c.routed_scale_) << "token " << t;
    }
  }
}

TEST(GatingConfigValidation, RejectsNodesThatDoNotNestWithGroups) {
  GatingConfig c;
  c.num_experts_ = 96;
  c.num_groups_ = 4;  // 24 experts per group
  c.num_nodes_ = 6;   // 16 experts per node: neither divides the other
  c.max_nodes_ = 2;
  EXPECT_FALSE(validate_gating_config(c).empty());
  EXPECT_TRUE(validate_gating_config(GatingConfig{}).empty());
}

TEST(GatingKernel, MatchesReferenceOnDeepSeekShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  for (int tokens : {1, 7, 4096}) expect_kernel_matches_reference(tokens, deepseek_config(), 0.0f);
}

TEST(GatingKernel, MatchesReferenceWithNodeLimit) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  for (int tokens : {3, 4096}) {
    expect_kernel_matches_reference(tokens, deepseek_node_limited_config(), 0.0f);
    expect_kernel_matches_reference(tokens, fine_nodes_config(), 0.0f);
  }
}

TEST(GatingKernel, BreaksTiesLikeReference) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  for (float step : {0.5f, 2.0f}) {
    expect_kernel_matches_reference(2048, deepseek_config(), step);
    expect_kernel_matches_reference(2048, fine_nodes_config(), step);
    expect_kernel_matches_reference(2048, small_config(), step);
  }
}

TEST(GatingKernel, MatchesReferenceWithPartialLaneSlots) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_kernel_matches_reference(1000, small_config(), 0.0f);
}

}  // namespace
}  // namespace moeplan::kernels
