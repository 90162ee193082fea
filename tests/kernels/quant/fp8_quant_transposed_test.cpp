// Transposed 1x128 FP8 quantisation vs CPU reference: codes and scales bit-exact.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "quant/fp8_block_quant.h"
#include "quant/fp8_block_quant_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

void expect_transposed_quant_matches(int rows, int cols) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " cols " + std::to_string(cols));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> exponent(-12.0f, 4.0f);
  std::bernoulli_distribution negative(0.5);
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  std::vector<Bf16Bits> x(n);
  for (auto& v : x) {
    const float magnitude = std::exp2(exponent(rng));
    v = float_to_bf16(negative(rng) ? -magnitude : magnitude);
  }
  const auto scale_count = static_cast<std::size_t>(fp8_tiles_per_row(rows)) * static_cast<std::size_t>(cols);
  std::vector<E4m3Bits> want_q(n);
  std::vector<float> want_scales(scale_count);
  fp8_quant_transposed_1x128_reference(x, rows, cols, want_q, want_scales);
  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)};
  DeviceBuffer<E4m3Bits> q_d(n);
  DeviceBuffer<float> scales_d(scale_count);
  q_d.poison();
  scales_d.poison();
  launch_fp8_quant_transposed_1x128(x_d.data(), rows, cols, q_d.data(), scales_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(q_d.download() == want_q) << "e4m3 codes differ";
  EXPECT_TRUE(scales_d.download() == want_scales) << "scales differ";
}

TEST(Fp8TransposedQuantKernel, MatchesReferenceOnWeightGradShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_transposed_quant_matches(4096, 2048);
  expect_transposed_quant_matches(512, 7168);
}

TEST(Fp8TransposedQuantKernel, MatchesReferenceOnPartialTiles) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_transposed_quant_matches(208, 72);  // 1.6 row tiles, 1.1 column tiles
  expect_transposed_quant_matches(16, 8);
}

TEST(Fp8TransposedQuantReference, ScalesEachColumnByItsAmax) {
  // x[r, c] = 2^c * (r - 64) / 64 over 128 rows: column c's amax is 2^c (at r = 0), so
  // its scale is 2^c / 448 and q_t[c, r] encodes exactly 448 * (r - 64) / 64 = 7 (r - 64).
  const int rows = 128, cols = 8;
  std::vector<Bf16Bits> x(static_cast<std::size_t>(rows * cols));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      x[static_cast<std::size_t>(r * cols + c)] = float_to_bf16(std::ldexp(static_cast<float>(r - 64) / 64.0f, c));
  std::vector<E4m3Bits> q(x.size());
  std::vector<float> scales(cols);
  fp8_quant_transposed_1x128_reference(x, rows, cols, q, scales);
  for (int c = 0; c < cols; ++c) {
    EXPECT_FLOAT_EQ(scales[static_cast<std::size_t>(c)], std::ldexp(1.0f, c) / 448.0f);
    for (int r = 0; r < rows; r += 17)
      EXPECT_EQ(q[static_cast<std::size_t>(c * rows + r)], float_to_e4m3(7.0f * static_cast<float>(r - 64))) << c << "," << r;
  }
}

}  // namespace
}  // namespace moeplan::kernels
