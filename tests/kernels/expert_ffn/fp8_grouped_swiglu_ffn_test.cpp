// FP8 grouped SwiGLU FFN vs the BF16 CPU reference on ragged expert segments.
// Tolerance: each FP8 GEMM carries at most sqrt(2) * 2^-4 relative Frobenius error
// from e4m3 rounding of its operands (lt_gemm_test.cpp; ~0.036 measured), SwiGLU
// passes the up-projection's relative error on with gain ~1, so two chained GEMMs
// stay within 2 * sqrt(2) * 2^-4 = 0.18.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "expert_ffn/expert_ffn_reference.h"
#include "expert_ffn/fp8_grouped_swiglu_ffn.h"
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

double bf16_as_double(Bf16Bits b) { return static_cast<double>(bf16_to_float(b)); }

TEST(Fp8GroupedSwigluFfn, MatchesBf16ReferenceWithinFp8Error) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  const int hidden = 512, intermediate = 256;
  const std::vector<std::int32_t> expert_rows = {40, 0, 8, 200, 72};  // multiples of 8 (see header)
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto experts = expert_rows.size();
  const auto h = static_cast<std::size_t>(hidden), i = static_cast<std::size_t>(intermediate);
  const auto rows = static_cast<std::size_t>(std::accumulate(expert_rows.begin(), expert_rows.end(), 0));
  const auto x = random_bf16(rows * h, 1.0f, rng);
  const auto w13 = random_bf16(experts * 2 * i * h, 1.0f / std::sqrt(static_cast<float>(hidden)), rng);
  const auto w2 = random_bf16(experts * h * i, 1.0f / std::sqrt(static_cast<float>(intermediate)), rng);
  std::vector<Bf16Bits> want(rows * h);
  grouped_swiglu_ffn_reference(x, expert_rows, w13, w2, hidden, intermediate, want);

  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)}, w13_d{std::span<const Bf16Bits>(w13)},
      w2_d{std::span<const Bf16Bits>(w2)}, y_d(rows * h);
  Fp8GroupedSwigluFfn ffn(hidden, intermediate, static_cast<int>(experts));
  DeviceBuffer<unsigned char> workspace(ffn.workspace_bytes(static_cast<std::int64_t>(rows)));
  y_d.poison();
  ffn.quantise_weights(w13_d.data(), w2_d.data(), nullptr);
  ffn.run(x_d.data(), expert_rows, y_d.data(), workspace.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto y = y_d.download();
  const double error = test::relative_error<Bf16Bits, Bf16Bits>(y, want, bf16_as_double);
  std::printf("  fp8 grouped FFN: rel error %.3e vs the bf16 reference\n", error);
  EXPECT_LE(error, 2.0 * std::sqrt(2.0) * kE4m3Epsilon);
  EXPECT_GT(error, 0.0) << "an FP8 path equal to the BF16 reference bit for bit is suspicious";
}

TEST(Fp8GroupedSwigluFfn, RejectsRowsNotAMultipleOfEight) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  Fp8GroupedSwigluFfn ffn(128, 128, 2);
  const std::vector<std::int32_t> expert_rows = {8, 3};
  DeviceBuffer<Bf16Bits> x(11 * 128), y(11 * 128);
  DeviceBuffer<unsigned char> workspace(ffn.workspace_bytes(11));
  EXPECT_THROW(ffn.run(x.data(), expert_rows, y.data(), workspace.data(), nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::kernels
