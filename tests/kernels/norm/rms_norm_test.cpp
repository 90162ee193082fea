// RMSNorm kernels vs the float64 CPU reference: y and dx within one bf16
// rounding (fp32 math differs from float64 by far less than a bf16 ulp, so a
// value may land one ulp off at a rounding boundary), rstd and dw within fp32
// accumulation error; dw bit-identical between two runs (deterministic).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "memory_bound_test_support.h"
#include "norm/rms_norm.h"
#include "norm/rms_norm_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

double float_relative_error(std::span<const float> got, std::span<const float> want) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    diff += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
    norm += static_cast<double>(want[i]) * want[i];
  }
  return std::sqrt(diff / norm);
}

void expect_rms_norm_matches(int rows, int cols) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " cols " + std::to_string(cols));
  std::mt19937_64 rng(seed);
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  const auto x = test::random_bf16(n, rng, -3.0f, 3.0f);
  const auto w = test::random_bf16(static_cast<std::size_t>(cols), rng, 0.5f, 1.5f);
  const auto dy = test::random_bf16(n, rng, -1.0f, 1.0f);
  std::vector<Bf16Bits> want_y(n), want_dx(n);
  std::vector<float> want_rstd(static_cast<std::size_t>(rows)), want_dw(static_cast<std::size_t>(cols));
  rms_norm_forward_reference(x, w, rows, cols, kRmsNormDefaultEps, want_y, want_rstd);

  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)}, w_d{std::span<const Bf16Bits>(w)}, dy_d{std::span<const Bf16Bits>(dy)};
  DeviceBuffer<Bf16Bits> y_d(n), dx_d(n);
  DeviceBuffer<float> rstd_d(static_cast<std::size_t>(rows)), dw_d(static_cast<std::size_t>(cols));
  DeviceBuffer<unsigned char> workspace(rms_norm_backward_workspace_bytes(rows, cols));
  y_d.poison();
  rstd_d.poison();
  dx_d.poison();
  dw_d.poison();
  launch_rms_norm_forward(x_d.data(), w_d.data(), rows, cols, kRmsNormDefaultEps, y_d.data(), rstd_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto y = y_d.download();
  const auto rstd = rstd_d.download();
  EXPECT_LE(test::bf16_max_ulps(y, want_y), 1.0);
  EXPECT_LE(float_relative_error(rstd, want_rstd), 1e-5);

  // Backward from the GPU's rstd, so both sides see the same input.
  rms_norm_backward_reference(x, w, rstd, dy, rows, cols, want_dx, want_dw);
  launch_rms_norm_backward(x_d.data(), w_d.data(), rstd_d.data(), dy_d.data(), rows, cols, dx_d.data(), dw_d.data(),
                           workspace.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto dx = dx_d.download();
  const auto dw = dw_d.download();
  // dx = rstd (g - xhat mean): a cancellation, so bound the Frobenius error by a bf16 ulp.
  EXPECT_LE(test::bf16_relative_error(dx, want_dx), kBf16Epsilon);
  EXPECT_LE(float_relative_error(dw, want_dw), 1e-5);
  launch_rms_norm_backward(x_d.data(), w_d.data(), rstd_d.data(), dy_d.data(), rows, cols, dx_d.data(), dw_d.data(),
                           workspace.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(dw_d.download() == dw) << "dw differs between two identical runs";
}

TEST(RmsNormKernel, MatchesReferenceOnModelShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_rms_norm_matches(512, 7168);  // hidden
  expect_rms_norm_matches(300, 1536);  // q_lora_rank
  expect_rms_norm_matches(257, 512);   // kv_lora_rank
}

TEST(RmsNormKernel, MatchesReferenceOnOddShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_rms_norm_matches(1, 8);
  expect_rms_norm_matches(3, 2056);
}

TEST(RmsNormReference, NormalisesAConstantRowToWeight) {
  // x = 2 everywhere: mean(x^2) = 4, rstd = 1/2 (eps 0), y = w.
  const std::vector<Bf16Bits> x(16, float_to_bf16(2.0f));
  std::vector<Bf16Bits> w(16);
  for (int i = 0; i < 16; ++i) w[static_cast<std::size_t>(i)] = float_to_bf16(0.25f * static_cast<float>(i));
  std::vector<Bf16Bits> y(16);
  std::vector<float> rstd(1);
  rms_norm_forward_reference(x, w, 1, 16, 0.0f, y, rstd);
  EXPECT_EQ(rstd[0], 0.5f);
  EXPECT_TRUE(y == w);
}

}  // namespace
}  // namespace moeplan::kernels
