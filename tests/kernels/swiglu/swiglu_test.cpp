// SwiGLU activation kernels vs the float64 CPU reference, within one bf16 rounding
// per element (fp32 expf differs from float64 by a few fp32 ulps), and the backward
// against a central finite difference of the float64 forward.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "memory_bound_test_support.h"
#include "swiglu/swiglu.h"
#include "swiglu/swiglu_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

void expect_swiglu_matches(int rows, int cols) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " cols " + std::to_string(cols));
  std::mt19937_64 rng(seed);
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  const auto gate_up = test::random_bf16(2 * n, rng, -6.0f, 6.0f);
  const auto d_out = test::random_bf16(n, rng, -1.0f, 1.0f);
  std::vector<Bf16Bits> want_out(n), want_grad(2 * n);
  swiglu_forward_reference(gate_up, rows, cols, want_out);
  swiglu_backward_reference(gate_up, d_out, rows, cols, want_grad);
  DeviceBuffer<Bf16Bits> gate_up_d{std::span<const Bf16Bits>(gate_up)}, d_out_d{std::span<const Bf16Bits>(d_out)};
  DeviceBuffer<Bf16Bits> out_d(n), grad_d(2 * n);
  out_d.poison();
  grad_d.poison();
  launch_swiglu_forward(gate_up_d.data(), rows, cols, out_d.data(), nullptr);
  launch_swiglu_backward(gate_up_d.data(), d_out_d.data(), rows, cols, grad_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_LE(test::bf16_max_ulps(out_d.download(), want_out), 1.0);
  EXPECT_LE(test::bf16_max_ulps(grad_d.download(), want_grad), 1.0);
}

TEST(SwigluKernel, MatchesReferenceOnExpertShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_swiglu_matches(1024, 2048);
  expect_swiglu_matches(37, 136);
}

TEST(SwigluReference, BackwardMatchesFiniteDifference) {
  // out = silu(g) u: d out / d g and d out / d u by central differences at a few points.
  for (const double g : {-4.0, -0.5, 0.0, 0.75, 3.0})
    for (const double u : {-2.0, 0.5}) {
      const auto f = [](double gate, double up) { return gate / (1.0 + std::exp(-gate)) * up; };
      const double h = 1e-6;
      const double d_gate = (f(g + h, u) - f(g - h, u)) / (2 * h);
      const double d_up = (f(g, u + h) - f(g, u - h)) / (2 * h);
      std::vector<Bf16Bits> gate_up = {float_to_bf16(static_cast<float>(g)), 0, 0, 0, 0, 0, 0, 0,
                                       float_to_bf16(static_cast<float>(u)), 0, 0, 0, 0, 0, 0, 0};
      std::vector<Bf16Bits> d_out(8, 0);
      d_out[0] = float_to_bf16(1.0f);
      std::vector<Bf16Bits> grad(16);
      swiglu_backward_reference(gate_up, d_out, 1, 8, grad);
      EXPECT_NEAR(bf16_to_float(grad[0]), d_gate, 1e-2 * (1.0 + std::fabs(d_gate))) << g << "," << u;
      EXPECT_NEAR(bf16_to_float(grad[8]), d_up, 1e-2 * (1.0 + std::fabs(d_up))) << g << "," << u;
    }
}

}  // namespace
}  // namespace moeplan::kernels
