// Dispatch layout kernel vs CPU reference: counts, offsets and the stable
// permutation must agree exactly, on uniform and deliberately ragged routings.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "dispatch/dispatch_layout.h"
#include "dispatch/dispatch_layout_reference.h"
#include "gpu_test_support.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

// Each token picks `topk` distinct experts uniformly.
std::vector<std::int32_t> uniform_routing(int tokens, int topk, int experts, std::mt19937_64& rng) {
  std::vector<std::int32_t> out;
  std::vector<std::int32_t> all(static_cast<std::size_t>(experts));
  std::iota(all.begin(), all.end(), 0);
  for (int t = 0; t < tokens; ++t) {
    std::shuffle(all.begin(), all.end(), rng);
    out.insert(out.end(), all.begin(), all.begin() + topk);
  }
  return out;
}

// Ragged: expert 0 gets no pair, expert 1 exactly one, expert 2 every token
// (thousands), a few pairs dropped (-1), the rest uniform over experts 3+.
std::vector<std::int32_t> ragged_routing(int tokens, int topk, int experts, std::mt19937_64& rng) {
  std::vector<std::int32_t> out;
  std::vector<std::int32_t> rest(static_cast<std::size_t>(experts - 3));
  std::iota(rest.begin(), rest.end(), 3);
  std::uniform_int_distribution<int> coin(0, 99);
  for (int t = 0; t < tokens; ++t) {
    std::shuffle(rest.begin(), rest.end(), rng);
    out.push_back(2);
    for (int k = 1; k < topk; ++k) {
      const int e = rest[static_cast<std::size_t>(k - 1)];
      out.push_back(coin(rng) < 3 ? -1 : e);
    }
  }
  out[static_cast<std::size_t>(tokens / 2) * static_cast<std::size_t>(topk) + 1] = 1;
  return out;
}

void expect_kernel_matches_reference(const std::vector<std::int32_t>& routing, int tokens, int topk,
                                     int experts, int ranks) {
  const DispatchLayoutHost want = dispatch_layout_reference(routing, tokens, topk, experts, ranks);
  const auto pairs = static_cast<std::size_t>(tokens) * static_cast<std::size_t>(topk);
  DeviceBuffer<std::int32_t> topk_expert{std::span<const std::int32_t>(routing)};
  DeviceBuffer<std::int32_t> expert_rows(static_cast<std::size_t>(experts));
  DeviceBuffer<std::int32_t> expert_offsets(static_cast<std::size_t>(experts) + 1);
  DeviceBuffer<std::int32_t> rank_tokens(static_cast<std::size_t>(ranks));
  DeviceBuffer<std::int32_t> rank_offsets(static_cast<std::size_t>(ranks) + 1);
  DeviceBuffer<std::int32_t> pair_to_row(pairs), row_to_pair(pairs);
  for (auto* b : {&expert_rows, &expert_offsets, &rank_tokens, &rank_offsets, &pair_to_row,
                  &row_to_pair})
    b->poison(0x7f);
  const DispatchLayout layout{expert_rows.data(), expert_offsets.data(), rank_tokens.data(),
                              rank_offsets.data(), pair_to_row.data(),    row_to_pair.data()};
  launch_dispatch_layout(topk_expert.data(), tokens, topk, experts, ranks, layout, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);

  EXPECT_EQ(expert_rows.download(), want.expert_rows_);
  EXPECT_EQ(expert_offsets.download(), want.expert_row_offsets_);
  EXPECT_EQ(rank_tokens.download(), want.rank_tokens_);
  EXPECT_EQ(rank_offsets.download(), want.rank_token_offsets_);
  EXPECT_EQ(pair_to_row.download(), want.pair_to_row_);
  auto got_row_to_pair = row_to_pair.download();
  got_row_to_pair.resize(want.row_to_pair_.size());
  EXPECT_EQ(got_row_to_pair, want.row_to_pair_);
}

TEST(DispatchLayoutReference, GroupsPairsByExpertStably) {
  // 3 tokens, topk 2, 4 experts on 2 ranks; worked by hand.
  const std::vector<std::int32_t> routing = {1, 3, 1, 0, 3, -1};
  const DispatchLayoutHost got = dispatch_layout_reference(routing, 3, 2, 4, 2);
  EXPECT_EQ(got.expert_rows_, (std::vector<std::int32_t>{1, 2, 0, 2}));
  EXPECT_EQ(got.expert_row_offsets_, (std::vector<std::int32_t>{0, 1, 3, 3, 5}));
  EXPECT_EQ(got.rank_tokens_, (std::vector<std::int32_t>{2, 2}));
  EXPECT_EQ(got.rank_token_offsets_, (std::vector<std::int32_t>{0, 2, 4}));
  EXPECT_EQ(got.pair_to_row_, (std::vector<std::int32_t>{1, 3, 2, 0, 4, -1}));
  EXPECT_EQ(got.row_to_pair_, (std::vector<std::int32_t>{3, 0, 2, 1, 4}));
}

TEST(DispatchLayoutKernel, MatchesReferenceOnUniformRouting) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int tokens : {1, 4096, 9000})
    for (int ranks : {8, 64}) {
      SCOPED_TRACE("tokens " + std::to_string(tokens) + " ranks " + std::to_string(ranks));
      expect_kernel_matches_reference(uniform_routing(tokens, 8, 256, rng), tokens, 8, 256, ranks);
    }
}

TEST(DispatchLayoutKernel, MatchesReferenceOnRaggedRouting) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int tokens : {5, 3000}) {
    SCOPED_TRACE("tokens " + std::to_string(tokens));
    expect_kernel_matches_reference(ragged_routing(tokens, 8, 64, rng), tokens, 8, 64, 8);
    expect_kernel_matches_reference(ragged_routing(tokens, 4, 32, rng), tokens, 4, 32, 32);
  }
}

}  // namespace
}  // namespace moeplan::kernels
