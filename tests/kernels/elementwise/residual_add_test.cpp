// Residual add vs the CPU reference: bit-exact (same fp32 add and bf16 rounding),
// on the vector path, the scalar tail, unaligned pointers and in place.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "elementwise/residual_add.h"
#include "elementwise/residual_add_reference.h"
#include "gpu_test_support.h"
#include "memory_bound_test_support.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

void expect_add_matches(std::int64_t count, std::int64_t offset, bool in_place) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " count " + std::to_string(count) + " offset " + std::to_string(offset));
  std::mt19937_64 rng(seed);
  const auto n = static_cast<std::size_t>(count + offset);
  const auto a = test::random_bf16(n, rng, -4.0f, 4.0f);
  const auto b = test::random_bf16(n, rng, -0.1f, 0.1f);
  std::vector<Bf16Bits> want(static_cast<std::size_t>(count));
  residual_add_reference(std::span(a).subspan(static_cast<std::size_t>(offset)), std::span(b).subspan(static_cast<std::size_t>(offset)), want);
  DeviceBuffer<Bf16Bits> a_d{std::span<const Bf16Bits>(a)}, b_d{std::span<const Bf16Bits>(b)}, out_d(n);
  out_d.poison();
  Bf16Bits* out = in_place ? a_d.data() + offset : out_d.data() + offset;
  launch_residual_add(a_d.data() + offset, b_d.data() + offset, count, out, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto got = (in_place ? a_d : out_d).download();
  EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin() + offset));
}

TEST(ResidualAddKernel, MatchesReferenceBitExact) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_add_matches(4096 * 7168, 0, false);
  expect_add_matches(1000003, 0, false);  // scalar tail of 3
  expect_add_matches(777, 1, false);      // unaligned: scalar path
  expect_add_matches(65536, 0, true);     // in place
}

}  // namespace
}  // namespace moeplan::kernels
