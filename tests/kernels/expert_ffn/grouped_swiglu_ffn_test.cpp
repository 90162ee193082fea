// Grouped SwiGLU FFN (both cuBLAS paths) vs CPU reference on ragged expert
// segments: empty experts, one row, thousands of rows.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "expert_ffn/expert_ffn_reference.h"
#include "expert_ffn/grouped_swiglu_ffn.h"
#include "gpu_test_support.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

std::vector<Bf16Bits> random_bf16(std::size_t count, float scale, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<Bf16Bits> out(count);
  for (auto& v : out) v = float_to_bf16(uniform(rng));
  return out;
}

void expect_ffn_matches_reference(int hidden, int intermediate,
                                  const std::vector<std::int32_t>& expert_rows) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " hidden " + std::to_string(hidden) +
               " intermediate " + std::to_string(intermediate));
  std::mt19937_64 rng(seed);
  const auto experts = expert_rows.size();
  const auto h = static_cast<std::size_t>(hidden);
  const auto i = static_cast<std::size_t>(intermediate);
  const auto rows = static_cast<std::size_t>(std::accumulate(expert_rows.begin(), expert_rows.end(), 0));
  const auto x = random_bf16(rows * h, 1.0f, rng);
  // Weights scaled by 1/sqrt(fan_in) so h, act and y stay O(1).
  const auto w13 = random_bf16(experts * 2 * i * h, 1.0f / std::sqrt(static_cast<float>(hidden)), rng);
  const auto w2 = random_bf16(experts * h * i, 1.0f / std::sqrt(static_cast<float>(intermediate)), rng);
  std::vector<Bf16Bits> want(rows * h);
  grouped_swiglu_ffn_reference(x, expert_rows, w13, w2, hidden, intermediate, want);

  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)}, w13_d{std::span<const Bf16Bits>(w13)},
      w2_d{std::span<const Bf16Bits>(w2)}, y_d(rows * h);
  GroupedSwigluFfn ffn(hidden, intermediate, static_cast<int>(experts));
  DeviceBuffer<unsigned char> workspace(ffn.workspace_bytes(static_cast<std::int64_t>(rows)));
  for (ExpertGemmPath path : {ExpertGemmPath::grouped_batched, ExpertGemmPath::per_expert_loop,
                              ExpertGemmPath::per_expert_streams,
                              ExpertGemmPath::per_expert_pipelined}) {
    SCOPED_TRACE("path " + std::to_string(static_cast<int>(path)));
    y_d.poison(0xff);
    workspace.poison(0xff);
    ffn.run(x_d.data(), expert_rows, w13_d.data(), w2_d.data(), y_d.data(), workspace.data(), path,
            nullptr);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    const auto got = y_d.download();
    const double error = test::relative_error<Bf16Bits, Bf16Bits>(
        got, want, [](Bf16Bits b) { return static_cast<double>(bf16_to_float(b)); });
    // bf16 outputs with bf16 intermediates that may round the other way: a
    // couple of bf16 unit roundoffs.
    EXPECT_LE(error, 2 * kBf16Epsilon) << "relative error " << error;
  }
}

TEST(GroupedSwigluFfnKernel, MatchesReferenceOnRaggedExperts) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_ffn_matches_reference(256, 128, {0, 1, 2000, 37, 0, 300});
  expect_ffn_matches_reference(64, 32, {5, 0, 0, 1});
}

TEST(GroupedSwigluFfnKernel, MatchesReferenceOnDeepSeekDimensions) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_ffn_matches_reference(7168, 2048, {0, 1, 3});
}

TEST(GroupedSwigluFfnKernel, DoesNothingWhenNoRows) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  GroupedSwigluFfn ffn(64, 32, 2);
  const std::vector<std::int32_t> none = {0, 0};
  EXPECT_NO_THROW(ffn.run(nullptr, none, nullptr, nullptr, nullptr, nullptr,
                          ExpertGemmPath::grouped_batched, nullptr));
}

}  // namespace
}  // namespace moeplan::kernels
