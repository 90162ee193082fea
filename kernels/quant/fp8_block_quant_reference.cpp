#include "quant/fp8_block_quant_reference.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "quant/fp8_block_quant.h"

namespace moeplan::kernels {
namespace {

// Quantise the block rows [r0, r1) x cols [c0, c1) with one scale.
float quantise_block(std::span<const Bf16Bits> x, int cols, int r0, int r1, int c0, int c1,
                     std::span<E4m3Bits> q) {
  float amax = 0.0f;
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c)
      amax = std::max(amax, std::fabs(bf16_to_float(x[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)])));
  amax = std::max(amax, kFp8MinAmax);
  const float inverse_scale = kE4m3Max / amax;
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c);
      q[i] = float_to_e4m3(bf16_to_float(x[i]) * inverse_scale);
    }
  return amax / kE4m3Max;
}

}  // namespace

void fp8_quant_act_1x128_reference(std::span<const Bf16Bits> x, int rows, int cols,
                                   std::span<E4m3Bits> q, std::span<float> scales) {
  const int tiles = fp8_tiles_per_row(cols);
  for (int r = 0; r < rows; ++r)
    for (int t = 0; t < tiles; ++t)
      scales[static_cast<std::size_t>(r * tiles + t)] =
          quantise_block(x, cols, r, r + 1, t * kFp8BlockSize,
                         std::min(cols, (t + 1) * kFp8BlockSize), q);
}

void fp8_quant_weight_128x128_reference(std::span<const Bf16Bits> w, int rows, int cols,
                                        std::span<E4m3Bits> q, std::span<float> scales) {
  const int tiles = fp8_tiles_per_row(cols);
  const int row_blocks = fp8_tiles_per_row(rows);
  for (int b = 0; b < row_blocks; ++b)
    for (int t = 0; t < tiles; ++t)
      scales[static_cast<std::size_t>(b * tiles + t)] = quantise_block(
          w, cols, b * kFp8BlockSize, std::min(rows, (b + 1) * kFp8BlockSize), t * kFp8BlockSize,
          std::min(cols, (t + 1) * kFp8BlockSize), q);
}

void fp8_dequant_reference(std::span<const E4m3Bits> q, std::span<const float> scales, int rows,
                           int cols, int row_block, std::span<Bf16Bits> x) {
  const int tiles = fp8_tiles_per_row(cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c);
      const float s = scales[static_cast<std::size_t>((r / row_block) * tiles + c / kFp8BlockSize)];
      x[i] = float_to_bf16(e4m3_to_float(q[i]) * s);
    }
}

void fp8_quant_transposed_1x128_reference(std::span<const Bf16Bits> x, int rows, int cols,
                                          std::span<E4m3Bits> q_t, std::span<float> scales) {
  // Quantise x^T [cols, rows] row-wise, then move each scale to [tile][column].
  const auto r_count = static_cast<std::size_t>(rows);
  const auto c_count = static_cast<std::size_t>(cols);
  std::vector<Bf16Bits> x_t(x.size());
  for (std::size_t r = 0; r < r_count; ++r)
    for (std::size_t c = 0; c < c_count; ++c) x_t[c * r_count + r] = x[r * c_count + c];
  const int tiles = fp8_tiles_per_row(rows);
  std::vector<float> row_scales(c_count * static_cast<std::size_t>(tiles));
  fp8_quant_act_1x128_reference(x_t, cols, rows, q_t, row_scales);
  for (std::size_t c = 0; c < c_count; ++c)
    for (std::size_t t = 0; t < static_cast<std::size_t>(tiles); ++t)
      scales[t * c_count + c] = row_scales[c * static_cast<std::size_t>(tiles) + t];
}

}  // namespace moeplan::kernels
