// FP8 E4M3 block quantisation on the GPU, DeepSeek-V3 layout, FP32 scales.
// CPU reference: fp8_block_quant_reference.h.
//
//   activations: 1 x 128 tiles along each row     q[r, c] = e4m3(x[r, c] / s[r, c/128])
//   weights    : 128 x 128 blocks                 q[r, c] = e4m3(w[r, c] / s[r/128, c/128])
//   scale      : s = max(amax, kFp8MinAmax) / 448, quantised as x * (448 / max(amax, kFp8MinAmax))
// The last tile/block of a row or column may be partial (cols, rows not multiples of 128).
//
// Dispatch payload: a token of hidden 7168 travels as 7168 e4m3 bytes followed by
// 56 fp32 scales, 7392 bytes per token: pass q_row_stride_bytes = 7392 and
// scales = (float*)(q + 7168) with scale_row_stride = 7392 / 4 to write that packing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"

namespace moeplan::kernels {

inline constexpr int kFp8BlockSize = 128;
inline constexpr float kFp8MinAmax = 1e-4f;

inline constexpr int fp8_tiles_per_row(int cols) { return (cols + kFp8BlockSize - 1) / kFp8BlockSize; }
// Bytes of one packed dispatch payload row: e4m3 values, then fp32 scales, 16-byte aligned.
inline constexpr int fp8_payload_row_bytes(int hidden) {
  return (hidden + 4 * fp8_tiles_per_row(hidden) + 15) / 16 * 16;
}

// x: [rows, cols] bf16 (row stride cols); cols % 8 == 0.
// q: row r at q + r * q_row_stride_bytes; scales: row r at scales + r * scale_row_stride.
void launch_fp8_quant_act_1x128(const Bf16Bits* x, int rows, int cols, E4m3Bits* q,
                                std::int64_t q_row_stride_bytes, float* scales,
                                std::int64_t scale_row_stride, cudaStream_t stream);
void launch_fp8_dequant_act_1x128(const E4m3Bits* q, std::int64_t q_row_stride_bytes,
                                  const float* scales, std::int64_t scale_row_stride, int rows,
                                  int cols, Bf16Bits* x, cudaStream_t stream);

// w: [rows, cols] bf16; q: [rows, cols]; scales: [ceil(rows/128), ceil(cols/128)]; cols % 8 == 0.
void launch_fp8_quant_weight_128x128(const Bf16Bits* w, int rows, int cols, E4m3Bits* q,
                                     float* scales, cudaStream_t stream);
void launch_fp8_dequant_weight_128x128(const E4m3Bits* q, const float* scales, int rows,
                                       int cols, Bf16Bits* w, cudaStream_t stream);

// ---- layouts for the block-scaled GEMM (gemm/lt_gemm.h) --------------------
// Same e4m3 codes and scale values as above; only where the scales go differs.
// Row stride of the 128x128 weight scales the GEMM reads: tiles rounded up to 4.
inline constexpr int fp8_gemm_weight_scale_ld(int cols) { return (fp8_tiles_per_row(cols) + 3) / 4 * 4; }

// x [rows, cols] -> q [rows, cols] (dense), scale of (row r, tile t) at scales[t * rows + r]
// (cuBLASLt VEC128: [ceil(cols/128)][rows], rows contiguous). cols % 8 == 0.
void launch_fp8_quant_act_1x128_gemm_scales(const Bf16Bits* x, int rows, int cols, E4m3Bits* q,
                                            float* scales, cudaStream_t stream);
// w [rows, cols] -> q [rows, cols], scale of block (rb, t) at scales[rb * fp8_gemm_weight_scale_ld(cols) + t]
// (cuBLASLt BLK128x128); the padding entries of each scale row are written as 0.
void launch_fp8_quant_weight_128x128_gemm_scales(const Bf16Bits* w, int rows, int cols, E4m3Bits* q,
                                                 float* scales, cudaStream_t stream);

// Transposed 1x128 quantisation, the weight-gradient GEMM's operands (K = rows = tokens):
//   q_t[c, r] = e4m3(x[r, c] / s[r/128, c]),  s over the 128 rows r of tile r/128 in column c,
//   q_t [cols, rows] dense; scale of (column c, row tile rt) at scales[rt * cols + c]
//   (cuBLASLt VEC128 of the K-major operand q_t: [ceil(rows/128)][cols]).
// Requirements: rows % 16 == 0 (16-byte rows of q_t), cols % 8 == 0. Partial tiles allowed.
void launch_fp8_quant_transposed_1x128(const Bf16Bits* x, int rows, int cols, E4m3Bits* q_t,
                                       float* scales, cudaStream_t stream);

}  // namespace moeplan::kernels
