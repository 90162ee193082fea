// FP8 block quantisation kernels vs CPU reference: codes and scales bit-exact,
// dequantisation bit-exact, and the round trip within e4m3's unit roundoff.
#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "quant/fp8_block_quant.h"
#include "quant/fp8_block_quant_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

std::vector<Bf16Bits> random_bf16(std::size_t count, std::mt19937_64& rng) {
  // Log-uniform magnitudes over 2^-12 .. 2^4 with random signs: tiles with
  // very different ranges, some near the e4m3 subnormal range after scaling.
  std::uniform_real_distribution<float> exponent(-12.0f, 4.0f);
  std::bernoulli_distribution negative(0.5);
  std::vector<Bf16Bits> out(count);
  for (auto& v : out) {
    const float magnitude = std::exp2(exponent(rng));
    v = float_to_bf16(negative(rng) ? -magnitude : magnitude);
  }
  return out;
}

double bf16_as_double(Bf16Bits b) { return static_cast<double>(bf16_to_float(b)); }

TEST(E4m3Conversion, MatchesCudaHostConversionOnAllBf16Values) {
  for (float scale : {1.0f, 448.0f / 3.0f, 0.0078125f, 1000.0f}) {
    for (std::uint32_t bits = 0; bits < 0x10000u; ++bits) {
      const float x = bf16_to_float(static_cast<Bf16Bits>(bits)) * scale;
      if (std::isnan(x)) continue;
      const auto want = static_cast<E4m3Bits>(__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3));
      ASSERT_EQ(float_to_e4m3(x), want) << "x " << x;
    }
  }
}

TEST(E4m3Conversion, DecodesEveryCodeLikeCuda) {
  for (int code = 0; code < 256; ++code) {
    if ((code & 0x7f) == 0x7f) continue;  // NaN
    const __half_raw raw = __nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(code), __NV_E4M3);
    const float want = __half2float(__half(raw));
    ASSERT_EQ(e4m3_to_float(static_cast<E4m3Bits>(code)), want) << "code " << code;
  }
}

void expect_act_quant_matches(int rows, int cols) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " cols " +
               std::to_string(cols));
  std::mt19937_64 rng(seed);
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  const int tiles = fp8_tiles_per_row(cols);
  const auto x = random_bf16(n, rng);
  std::vector<E4m3Bits> want_q(n);
  std::vector<float> want_scales(static_cast<std::size_t>(rows * tiles));
  fp8_quant_act_1x128_reference(x, rows, cols, want_q, want_scales);

  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)};
  DeviceBuffer<E4m3Bits> q_d(n);
  DeviceBuffer<float> scales_d(want_scales.size());
  q_d.poison(0xff);
  scales_d.poison(0xff);
  launch_fp8_quant_act_1x128(x_d.data(), rows, cols, q_d.data(), cols, scales_d.data(), tiles, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(q_d.download() == want_q) << "e4m3 codes differ";
  EXPECT_TRUE(scales_d.download() == want_scales) << "scales differ";

  // Dequantise on the GPU, compare bit-exact with the reference, and the
  // round trip against x within e4m3's unit roundoff.
  std::vector<Bf16Bits> want_x(n);
  fp8_dequant_reference(want_q, want_scales, rows, cols, 1, want_x);
  DeviceBuffer<Bf16Bits> back_d(n);
  back_d.poison(0xff);
  launch_fp8_dequant_act_1x128(q_d.data(), cols, scales_d.data(), tiles, rows, cols, back_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto back = back_d.download();
  EXPECT_TRUE(back == want_x) << "dequantised values differ";
  const double error = test::relative_error<Bf16Bits, Bf16Bits>(back, x, bf16_as_double);
  EXPECT_LE(error, kE4m3Epsilon) << "round-trip relative error " << error;
}

void expect_weight_quant_matches(int rows, int cols) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " rows " + std::to_string(rows) + " cols " +
               std::to_string(cols));
  std::mt19937_64 rng(seed);
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  const auto blocks = static_cast<std::size_t>(fp8_tiles_per_row(rows) * fp8_tiles_per_row(cols));
  const auto w = random_bf16(n, rng);
  std::vector<E4m3Bits> want_q(n);
  std::vector<float> want_scales(blocks);
  fp8_quant_weight_128x128_reference(w, rows, cols, want_q, want_scales);

  DeviceBuffer<Bf16Bits> w_d{std::span<const Bf16Bits>(w)};
  DeviceBuffer<E4m3Bits> q_d(n);
  DeviceBuffer<float> scales_d(blocks);
  q_d.poison(0xff);
  scales_d.poison(0xff);
  launch_fp8_quant_weight_128x128(w_d.data(), rows, cols, q_d.data(), scales_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(q_d.download() == want_q) << "e4m3 codes differ";
  EXPECT_TRUE(scales_d.download() == want_scales) << "scales differ";

  std::vector<Bf16Bits> want_w(n);
  fp8_dequant_reference(want_q, want_scales, rows, cols, kFp8BlockSize, want_w);
  DeviceBuffer<Bf16Bits> back_d(n);
  back_d.poison(0xff);
  launch_fp8_dequant_weight_128x128(q_d.data(), scales_d.data(), rows, cols, back_d.data(), nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(back_d.download() == want_w) << "dequantised values differ";
}

TEST(Fp8ActQuantKernel, MatchesReferenceOnDispatchShapes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_act_quant_matches(1, 7168);
  expect_act_quant_matches(4096, 7168);
}

TEST(Fp8ActQuantKernel, MatchesReferenceOnPartialTiles) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_act_quant_matches(37, 136);
  expect_act_quant_matches(3, 8);
}

TEST(Fp8ActQuantKernel, WritesPackedDispatchPayload) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  constexpr int kHidden = 7168;
  constexpr int kRows = 33;
  const int row_bytes = fp8_payload_row_bytes(kHidden);
  ASSERT_EQ(row_bytes, 7168 + 56 * 4);
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto x = random_bf16(static_cast<std::size_t>(kRows) * kHidden, rng);
  std::vector<E4m3Bits> want_q(x.size());
  std::vector<float> want_scales(static_cast<std::size_t>(kRows) * 56);
  fp8_quant_act_1x128_reference(x, kRows, kHidden, want_q, want_scales);

  DeviceBuffer<Bf16Bits> x_d{std::span<const Bf16Bits>(x)};
  DeviceBuffer<E4m3Bits> payload_d(static_cast<std::size_t>(kRows) * static_cast<std::size_t>(row_bytes));
  payload_d.poison(0xff);
  auto* scales = reinterpret_cast<float*>(payload_d.data() + kHidden);
  launch_fp8_quant_act_1x128(x_d.data(), kRows, kHidden, payload_d.data(), row_bytes, scales,
                             row_bytes / 4, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto payload = payload_d.download();
  for (int r = 0; r < kRows; ++r) {
    const auto* row = payload.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(row_bytes);
    ASSERT_TRUE(std::equal(row, row + kHidden, want_q.begin() + static_cast<std::ptrdiff_t>(r) * kHidden))
        << "row " << r;
    std::vector<float> got_scales(56);
    std::memcpy(got_scales.data(), row + kHidden, 56 * sizeof(float));
    ASSERT_TRUE(std::equal(got_scales.begin(), got_scales.end(),
                           want_scales.begin() + static_cast<std::ptrdiff_t>(r) * 56))
        << "row " << r;
  }
}

TEST(Fp8WeightQuantKernel, MatchesReferenceOnExpertWeights) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_weight_quant_matches(4096, 7168);
  expect_weight_quant_matches(200, 264);
  expect_weight_quant_matches(1, 8);
}

}  // namespace
}  // namespace moeplan::kernels
