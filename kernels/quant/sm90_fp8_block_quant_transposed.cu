// Transposed 1x128 FP8 quantisation (fp8_block_quant.h): x [rows, cols] bf16 ->
// q_t [cols, rows] e4m3, one scale per 128 rows of each column.
//
//   one 256-thread block per 128-row x 64-column tile:
//   phase 1  load   : 1024 16-byte chunks, 8 threads per 128-byte row segment, into
//                     shared memory [128][64] bf16 (16 KiB)
//   phase 2  amax   : thread (column c = tid % 64, quarter g = tid / 64) reads rows
//                     32g..32g+31 of its column (a warp reads one 64-byte row span:
//                     no bank conflicts), four quarters combined through shared memory
//   phase 3  store  : each thread writes its 32 e4m3 bytes as two 16-byte stores
//                     into row c of q_t (whole 32-byte sectors); quarter 0 writes the scale
// Conversion: cvt.rn.satfinite.e4m3x2.f32 on x * (448 / amax), as the row-wise kernel.
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <string>

#include "quant/fp8_block_quant.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kTileRows = kFp8BlockSize;  // 128
constexpr int kTileCols = 64;
constexpr int kThreads = 256;
constexpr int kQuarters = kThreads / kTileCols;           // 4
constexpr int kRowsPerThread = kTileRows / kQuarters;     // 32
constexpr int kChunksPerRow = kTileCols / 8;              // 8
constexpr int kLoadsPerThread = kTileRows * kChunksPerRow / kThreads;  // 4

__global__ void __launch_bounds__(kThreads)
    sm90_fp8_quant_transposed_1x128_kernel(const Bf16Bits* __restrict__ x, int rows, int cols,
                                           E4m3Bits* __restrict__ q_t, float* __restrict__ scales) {
  __shared__ __align__(16) __nv_bfloat16 tile[kTileRows][kTileCols];
  __shared__ float quarter_amax[kQuarters][kTileCols];
  const int row0 = blockIdx.y * kTileRows;
  const int col0 = blockIdx.x * kTileCols;

  // phase 1: coalesced 16-byte loads into shared memory (zeros outside x)
#pragma unroll
  for (int i = 0; i < kLoadsPerThread; ++i) {
    const int idx = i * kThreads + threadIdx.x;
    const int r = idx / kChunksPerRow;
    const int cc = (idx % kChunksPerRow) * 8;
    uint4 chunk = make_uint4(0, 0, 0, 0);
    if (row0 + r < rows && col0 + cc < cols)
      chunk = __ldg(reinterpret_cast<const uint4*>(x + static_cast<std::int64_t>(row0 + r) * cols + col0 + cc));
    *reinterpret_cast<uint4*>(&tile[r][cc]) = chunk;
  }
  __syncthreads();

  // phase 2: per-column amax over the 128 rows
  const int c = threadIdx.x % kTileCols;
  const int quarter = threadIdx.x / kTileCols;
  float v[kRowsPerThread];
  float amax = 0.0f;
#pragma unroll
  for (int j = 0; j < kRowsPerThread; ++j) {
    v[j] = __bfloat162float(tile[quarter * kRowsPerThread + j][c]);
    amax = fmaxf(amax, fabsf(v[j]));
  }
  quarter_amax[quarter][c] = amax;
  __syncthreads();
  amax = kFp8MinAmax;
#pragma unroll
  for (int g = 0; g < kQuarters; ++g) amax = fmaxf(amax, quarter_amax[g][c]);
  const float inverse_scale = kE4m3Max / amax;

  // phase 3: 32 e4m3 bytes of column c, rows quarter*32 .. +31
  const int col = col0 + c;
  if (col >= cols) return;
  uint4 packed[2];
  unsigned short* pairs = reinterpret_cast<unsigned short*>(packed);
#pragma unroll
  for (int p = 0; p < kRowsPerThread / 2; ++p)
    pairs[p] = __nv_cvt_float2_to_fp8x2(
        make_float2(__fmul_rn(v[2 * p], inverse_scale), __fmul_rn(v[2 * p + 1], inverse_scale)),
        __NV_SATFINITE, __NV_E4M3);
  E4m3Bits* out = q_t + static_cast<std::int64_t>(col) * rows + row0 + quarter * kRowsPerThread;
#pragma unroll
  for (int h = 0; h < 2; ++h)
    if (row0 + quarter * kRowsPerThread + 16 * h < rows) reinterpret_cast<uint4*>(out)[h] = packed[h];
  if (quarter == 0) scales[static_cast<std::int64_t>(blockIdx.y) * cols + col] = amax / kE4m3Max;
}

}  // namespace

void launch_fp8_quant_transposed_1x128(const Bf16Bits* x, int rows, int cols, E4m3Bits* q_t,
                                       float* scales, cudaStream_t stream) {
  MOEPLAN_REQUIRE(rows >= 0 && rows % 16 == 0 && cols > 0 && cols % 8 == 0,
                  "need rows a multiple of 16 and cols a positive multiple of 8, got rows " +
                      std::to_string(rows) + ", cols " + std::to_string(cols));
  if (rows == 0) return;
  const dim3 grid(static_cast<unsigned>((cols + kTileCols - 1) / kTileCols),
                  static_cast<unsigned>((rows + kTileRows - 1) / kTileRows));
  sm90_fp8_quant_transposed_1x128_kernel<<<grid, kThreads, 0, stream>>>(x, rows, cols, q_t, scales);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
