// CPU references of the FP8 block quantisation kernels (fp8_block_quant.h),
// dense layouts (q row stride = cols, scale row stride = tiles per row).
#pragma once

#include <span>

#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"

namespace moeplan::kernels {

void fp8_quant_act_1x128_reference(std::span<const Bf16Bits> x, int rows, int cols,
                                   std::span<E4m3Bits> q, std::span<float> scales);
void fp8_quant_weight_128x128_reference(std::span<const Bf16Bits> w, int rows, int cols,
                                        std::span<E4m3Bits> q, std::span<float> scales);
// Dequantise either layout: scale of element (r, c) is
// scales[(r / row_block) * tiles_per_row + c / 128] with row_block 1 or 128.
void fp8_dequant_reference(std::span<const E4m3Bits> q, std::span<const float> scales, int rows,
                           int cols, int row_block, std::span<Bf16Bits> x);

// launch_fp8_quant_transposed_1x128: q_t [cols, rows], scales [ceil(rows/128)][cols].
void fp8_quant_transposed_1x128_reference(std::span<const Bf16Bits> x, int rows, int cols,
                                          std::span<E4m3Bits> q_t, std::span<float> scales);

}  // namespace moeplan::kernels
