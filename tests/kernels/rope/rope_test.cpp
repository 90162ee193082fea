// RoPE kernel vs the float64 CPU reference, within one bf16 rounding per element
// (fp32 angles differ from float64 by < 5e-4 rad at position 4095); the inverse
// undoes the forward within two roundings; a hand-worked pair.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "memory_bound_test_support.h"
#include "rope/rope.h"
#include "rope/rope_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

void expect_rope_matches(std::int64_t rows, std::int64_t row_stride, int heads, int head_dim, int rope_dim, int seq_len) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " heads " + std::to_string(heads) +
               " head_dim " + std::to_string(head_dim));
  std::mt19937_64 rng(seed);
  const auto x = test::random_bf16(static_cast<std::size_t>(rows * row_stride), rng, -2.0f, 2.0f);
  auto want = x;
  rope_inplace_reference(want, rows, row_stride, heads, head_dim, rope_dim, seq_len, kRopeDefaultThetaBase, false);
  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)};
  launch_rope_inplace(x_d.data(), rows, row_stride, heads, head_dim, rope_dim, seq_len, kRopeDefaultThetaBase, false, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto got = x_d.download();
  // Rotated values: a bf16 rounding of a float64 result; error relative to the pair's norm.
  EXPECT_LE(test::bf16_relative_error(got, want), kBf16Epsilon);
  // Everything outside the rope slices untouched.
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < row_stride; ++c) {
      const bool in_rope = c < static_cast<std::int64_t>(heads) * head_dim && c % head_dim >= head_dim - rope_dim;
      if (!in_rope) {
        ASSERT_EQ(got[static_cast<std::size_t>(r * row_stride + c)], x[static_cast<std::size_t>(r * row_stride + c)]);
      }
    }
  }
  launch_rope_inplace(x_d.data(), rows, row_stride, heads, head_dim, rope_dim, seq_len, kRopeDefaultThetaBase, true, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_LE(test::bf16_relative_error(x_d.download(), x), 2.0 * kBf16Epsilon) << "inverse does not undo forward";
}

TEST(RopeKernel, MatchesReferenceOnDeepSeekV3Shapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_rope_matches(512, 128 * 192, 128, 192, 64, 4096);  // query heads: nope 128 + rope 64
  expect_rope_matches(1024, 576, 1, 64, 64, 512);             // k_pe inside the kv_a output row (512 + 64)
}

TEST(RopeKernel, MatchesReferenceOnSmallShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_rope_matches(7, 48, 2, 24, 8, 3);
}

TEST(RopeReference, RotatesPairZeroByThePosition) {
  // Pair 0 has theta 1: at position 1, (1, 0) -> (cos 1, sin 1); pair 1 (theta 10000^(-1/4) = 0.1
  // for rope_dim 8) -> (cos 0.1, sin 0.1). Row 0 is position 0: unchanged.
  std::vector<Bf16Bits> x(16, 0);
  for (int r = 0; r < 2; ++r) {
    x[static_cast<std::size_t>(r * 8)] = float_to_bf16(1.0f);
    x[static_cast<std::size_t>(r * 8 + 2)] = float_to_bf16(1.0f);
  }
  rope_inplace_reference(x, 2, 8, 1, 8, 8, 16, 10000.0, false);
  EXPECT_EQ(x[0], float_to_bf16(1.0f));
  EXPECT_EQ(x[8], float_to_bf16(static_cast<float>(std::cos(1.0))));
  EXPECT_EQ(x[9], float_to_bf16(static_cast<float>(std::sin(1.0))));
  EXPECT_EQ(x[10], float_to_bf16(static_cast<float>(std::cos(0.1))));
  EXPECT_EQ(x[11], float_to_bf16(static_cast<float>(std::sin(0.1))));
}

}  // namespace
}  // namespace moeplan::kernels
