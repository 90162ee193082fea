// Permute and unpermute-combine kernels vs CPU reference. The row maps come
// from the CPU dispatch-layout reference, so these tests do not depend on the
// layout kernel.
#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

#include "dispatch/dispatch_layout_reference.h"
#include "gpu_test_support.h"
#include "permute/permute.h"
#include "permute/permute_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

struct Case {
  int tokens_;
  int topk_;
  int experts_;
  int hidden_;
  bool ragged_;  // expert 0 empty, expert 1 one pair, expert 2 every token, some pairs dropped
};

std::vector<std::int32_t> routing_for(const Case& c, std::mt19937_64& rng) {
  std::vector<std::int32_t> out;
  const int first = c.ragged_ ? 3 : 0;
  std::vector<std::int32_t> pool(static_cast<std::size_t>(c.experts_ - first));
  std::iota(pool.begin(), pool.end(), first);
  std::uniform_int_distribution<int> coin(0, 99);
  for (int t = 0; t < c.tokens_; ++t) {
    std::shuffle(pool.begin(), pool.end(), rng);
    for (int k = 0; k < c.topk_; ++k) {
      int e = pool[static_cast<std::size_t>(k)];
      if (c.ragged_ && k == 0) e = 2;
      if (c.ragged_ && coin(rng) < 3) e = -1;
      out.push_back(e);
    }
  }
  if (c.ragged_) out[1] = 1;
  return out;
}

std::vector<Bf16Bits> random_bf16(std::size_t count, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<Bf16Bits> out(count);
  for (auto& v : out) v = float_to_bf16(uniform(rng));
  return out;
}

void expect_permute_and_combine_match(const Case& c) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " tokens " + std::to_string(c.tokens_) +
               " hidden " + std::to_string(c.hidden_));
  std::mt19937_64 rng(seed);
  const auto routing = routing_for(c, rng);
  const auto layout = dispatch_layout_reference(routing, c.tokens_, c.topk_, c.experts_, 1);
  const auto rows = static_cast<std::size_t>(layout.expert_row_offsets_.back());
  const auto h = static_cast<std::size_t>(c.hidden_);
  const auto tokens = static_cast<std::size_t>(c.tokens_);

  // Permute: an exact copy, every grouped row written.
  const auto x = random_bf16(tokens * h, rng);
  std::vector<Bf16Bits> want_grouped(rows * h);
  permute_reference(x, layout.pair_to_row_, c.tokens_, c.topk_, c.hidden_, want_grouped);
  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)};
  DeviceBuffer<std::int32_t> pair_to_row_d{std::span<const std::int32_t>(layout.pair_to_row_)};
  DeviceBuffer<Bf16Bits> grouped_d(rows * h);
  grouped_d.poison(0xff);
  launch_permute(x_d.data(), pair_to_row_d.data(), c.tokens_, c.topk_, c.hidden_, grouped_d.data(),
                 nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(grouped_d.download() == want_grouped) << "permuted rows differ";

  // Combine: fp32 accumulation vs float64, both rounded once to bf16.
  const auto y = random_bf16(rows * h, rng);
  std::vector<float> weights(tokens * static_cast<std::size_t>(c.topk_));
  std::uniform_real_distribution<float> weight(0.0f, 1.0f);
  for (auto& w : weights) w = weight(rng);
  std::vector<Bf16Bits> want_out(tokens * h);
  unpermute_combine_reference(y, layout.pair_to_row_, weights, c.tokens_, c.topk_, c.hidden_,
                              want_out);
  DeviceBuffer<Bf16Bits> y_d{std::span<const Bf16Bits>(y)};
  DeviceBuffer<float> weights_d{std::span<const float>(weights)};
  DeviceBuffer<Bf16Bits> out_d(tokens * h);
  out_d.poison(0xff);
  launch_unpermute_combine(y_d.data(), pair_to_row_d.data(), weights_d.data(), c.tokens_, c.topk_,
                           c.hidden_, out_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto got_out = out_d.download();
  const double error = test::relative_error<Bf16Bits, Bf16Bits>(
      got_out, want_out, [](Bf16Bits b) { return static_cast<double>(bf16_to_float(b)); });
  // One bf16 rounding of the result, plus fp32 accumulation: under one bf16 unit roundoff.
  EXPECT_LE(error, kBf16Epsilon) << "relative error " << error;
}

TEST(PermuteReference, CopiesEachTokenToItsRows) {
  const std::vector<Bf16Bits> x = {1, 2, 3, 4};  // 2 tokens, hidden 2
  const std::vector<std::int32_t> pair_to_row = {2, 0, -1, 1};
  std::vector<Bf16Bits> grouped(6, 0);
  permute_reference(x, pair_to_row, 2, 2, 2, grouped);
  EXPECT_EQ(grouped, (std::vector<Bf16Bits>{1, 2, 3, 4, 1, 2}));
}

TEST(PermuteKernel, MatchesReferenceOnDeepSeekHidden) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_permute_and_combine_match({1, 8, 256, 7168, false});
  expect_permute_and_combine_match({1024, 8, 256, 7168, false});
}

TEST(PermuteKernel, MatchesReferenceOnRaggedExperts) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_permute_and_combine_match({3000, 8, 32, 64, true});
  expect_permute_and_combine_match({7, 4, 16, 8, true});
  expect_permute_and_combine_match({513, 8, 64, 7168 + 8 * 130, true});  // more chunks than one pass
}

}  // namespace
}  // namespace moeplan::kernels
