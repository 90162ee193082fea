// FP8 E4M3 block quantisation kernels.
//
//   act 1x128   : 16 threads per tile, one 16-byte chunk (8 bf16) each; amax by a
//                 half-warp shuffle; each thread writes 8 e4m3 bytes, lane 0 of
//                 the half-warp the scale. One 128-thread block per row, up to 8
//                 loads per thread issued before the first reduction, and no
//                 index division (an int64 divide per tile made v5 slower).
//   weight 128² : one 256-thread block per block; each thread keeps 8 chunks
//                 (rows tid/16 + 16 i, column chunk tid%16) in registers, so the
//                 tile is read once; amax by warp shuffle plus shared memory.
// Conversions use cvt.rn.satfinite.e4m3x2.f32 (round to nearest even, clamp to 448).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <string>

#include "quant/fp8_block_quant.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kThreadsPerTile = kFp8BlockSize / 8;              // 16
constexpr int kActThreads = 128;        // one row per block, 16 threads per tile
constexpr int kActChunksPerThread = 8;  // 8 x 16 B loads in flight: 8192 columns per pass
constexpr int kWeightRowsPerPass = kThreads / kThreadsPerTile;  // 16
constexpr int kWeightPasses = kFp8BlockSize / kWeightRowsPerPass;  // 8

__device__ __forceinline__ float chunk_amax(const uint4& chunk) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&chunk);
  float amax = 0.0f;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 v = __bfloat1622float2(pairs[i]);
    amax = fmaxf(amax, fmaxf(fabsf(v.x), fabsf(v.y)));
  }
  return amax;
}

__device__ __forceinline__ uint2 quantise_chunk(const uint4& chunk, float inverse_scale) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&chunk);
  uint2 packed;
  unsigned short* out = reinterpret_cast<unsigned short*>(&packed);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 v = __bfloat1622float2(pairs[i]);
    const float2 scaled = make_float2(__fmul_rn(v.x, inverse_scale), __fmul_rn(v.y, inverse_scale));
    out[i] = __nv_cvt_float2_to_fp8x2(scaled, __NV_SATFINITE, __NV_E4M3);
  }
  return packed;
}

__device__ __forceinline__ uint4 dequantise_chunk(const uint2& packed, float scale) {
  const unsigned short* in = reinterpret_cast<const unsigned short*>(&packed);
  uint4 chunk;
  __nv_bfloat162* out = reinterpret_cast<__nv_bfloat162*>(&chunk);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const __half2 h = __half2(__nv_cvt_fp8x2_to_halfraw2(in[i], __NV_E4M3));
    const float2 v = __half22float2(h);
    out[i] = __floats2bfloat162_rn(__fmul_rn(v.x, scale), __fmul_rn(v.y, scale));
  }
  return chunk;
}

__global__ void __launch_bounds__(kActThreads)
    sm90_fp8_quant_act_1x128_kernel(const Bf16Bits* __restrict__ x, int cols,
                                    E4m3Bits* __restrict__ q, std::int64_t q_row_stride_bytes,
                                    float* __restrict__ scales, std::int64_t scale_row_stride,
                                    std::int64_t scale_tile_stride) {
  const std::int64_t r = blockIdx.x;
  const int chunks_per_row = cols / 8;
  const Bf16Bits* x_row = x + r * cols;
  E4m3Bits* q_row = q + r * q_row_stride_bytes;
  float* scale_row = scales + r * scale_row_stride;
  const int part = threadIdx.x % kThreadsPerTile;
  for (int base = 0; base < chunks_per_row; base += kActThreads * kActChunksPerThread) {
    uint4 chunk[kActChunksPerThread];
#pragma unroll
    for (int i = 0; i < kActChunksPerThread; ++i) {  // all loads in flight first
      const int c8 = base + i * kActThreads + threadIdx.x;
      chunk[i] = make_uint4(0, 0, 0, 0);
      if (c8 < chunks_per_row) chunk[i] = __ldg(reinterpret_cast<const uint4*>(x_row) + c8);
    }
#pragma unroll
    for (int i = 0; i < kActChunksPerThread; ++i) {
      const int c8 = base + i * kActThreads + threadIdx.x;  // 16 consecutive c8 form one tile
      if (base + i * kActThreads >= chunks_per_row) break;  // uniform over the block
      float amax = chunk_amax(chunk[i]);
#pragma unroll
      for (int offset = kThreadsPerTile / 2; offset > 0; offset >>= 1)
        amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
      amax = fmaxf(amax, kFp8MinAmax);
      if (c8 >= chunks_per_row) continue;
      reinterpret_cast<uint2*>(q_row)[c8] = quantise_chunk(chunk[i], kE4m3Max / amax);
      if (part == 0) scale_row[(c8 / kThreadsPerTile) * scale_tile_stride] = amax / kE4m3Max;
    }
  }
}

__global__ void __launch_bounds__(kThreads)
    sm90_fp8_dequant_act_1x128_kernel(const E4m3Bits* __restrict__ q,
                                      std::int64_t q_row_stride_bytes,
                                      const float* __restrict__ scales,
                                      std::int64_t scale_row_stride, int rows, int cols,
                                      Bf16Bits* __restrict__ x) {
  const int chunks_per_row = cols / 8;
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  const std::int64_t r = i / chunks_per_row;
  if (r >= rows) return;
  const int c = static_cast<int>(i - r * chunks_per_row) * 8;
  const uint2 packed = __ldg(reinterpret_cast<const uint2*>(q + r * q_row_stride_bytes + c));
  const float scale = __ldg(scales + r * scale_row_stride + c / kFp8BlockSize);
  *reinterpret_cast<uint4*>(x + r * cols + c) = dequantise_chunk(packed, scale);
}

__global__ void __launch_bounds__(kThreads)
    sm90_fp8_quant_weight_128x128_kernel(const Bf16Bits* __restrict__ w, int rows, int cols,
                                         E4m3Bits* __restrict__ q, float* __restrict__ scales,
                                         int scale_row_stride) {
  __shared__ float warp_amax_smem[kThreads / 32];
  const int row0 = blockIdx.y * kFp8BlockSize;
  const int c = blockIdx.x * kFp8BlockSize + (threadIdx.x % kThreadsPerTile) * 8;
  const int row_in_pass = threadIdx.x / kThreadsPerTile;
  uint4 chunk[kWeightPasses];
  float amax = 0.0f;
#pragma unroll
  for (int i = 0; i < kWeightPasses; ++i) {
    const int r = row0 + row_in_pass + i * kWeightRowsPerPass;
    chunk[i] = make_uint4(0, 0, 0, 0);
    if (r < rows && c < cols)
      chunk[i] = __ldg(reinterpret_cast<const uint4*>(w + static_cast<std::int64_t>(r) * cols + c));
    amax = fmaxf(amax, chunk_amax(chunk[i]));
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
  if (threadIdx.x % 32 == 0) warp_amax_smem[threadIdx.x / 32] = amax;
  __syncthreads();
  amax = kFp8MinAmax;
#pragma unroll
  for (int i = 0; i < kThreads / 32; ++i) amax = fmaxf(amax, warp_amax_smem[i]);
  const float inverse_scale = kE4m3Max / amax;
#pragma unroll
  for (int i = 0; i < kWeightPasses; ++i) {
    const int r = row0 + row_in_pass + i * kWeightRowsPerPass;
    if (r < rows && c < cols)
      *reinterpret_cast<uint2*>(q + static_cast<std::int64_t>(r) * cols + c) =
          quantise_chunk(chunk[i], inverse_scale);
  }
  if (threadIdx.x == 0) {
    float* scale_row = scales + static_cast<std::int64_t>(blockIdx.y) * scale_row_stride;
    scale_row[blockIdx.x] = amax / kE4m3Max;
    if (blockIdx.x == gridDim.x - 1)  // zero the row's padding (GEMM layout), never read as data
      for (int t = static_cast<int>(gridDim.x); t < scale_row_stride; ++t) scale_row[t] = 0.0f;
  }
}

__global__ void __launch_bounds__(kThreads)
    sm90_fp8_dequant_weight_128x128_kernel(const E4m3Bits* __restrict__ q,
                                           const float* __restrict__ scales, int rows, int cols,
                                           Bf16Bits* __restrict__ w) {
  const int chunks_per_row = cols / 8;
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  const std::int64_t r = i / chunks_per_row;
  if (r >= rows) return;
  const int c = static_cast<int>(i - r * chunks_per_row) * 8;
  const float scale = __ldg(scales + (r / kFp8BlockSize) * ((cols + kFp8BlockSize - 1) / kFp8BlockSize) + c / kFp8BlockSize);
  const uint2 packed = __ldg(reinterpret_cast<const uint2*>(q + r * cols + c));
  *reinterpret_cast<uint4*>(w + r * cols + c) = dequantise_chunk(packed, scale);
}

void require_shape(int rows, int cols) {
  MOEPLAN_REQUIRE(rows >= 0 && cols > 0 && cols % 8 == 0,
                  "need rows >= 0 and cols a positive multiple of 8, got rows " +
                      std::to_string(rows) + ", cols " + std::to_string(cols));
}

int blocks_for(std::int64_t items, int per_block) {
  return static_cast<int>((items + per_block - 1) / per_block);
}

}  // namespace

void launch_fp8_quant_act_1x128(const Bf16Bits* x, int rows, int cols, E4m3Bits* q,
                                std::int64_t q_row_stride_bytes, float* scales,
                                std::int64_t scale_row_stride, cudaStream_t stream) {
  require_shape(rows, cols);
  MOEPLAN_REQUIRE(q_row_stride_bytes >= cols && q_row_stride_bytes % 8 == 0,
                  "q_row_stride_bytes " + std::to_string(q_row_stride_bytes) +
                      " must be >= cols and a multiple of 8");
  MOEPLAN_REQUIRE(scale_row_stride >= fp8_tiles_per_row(cols),
                  "scale_row_stride " + std::to_string(scale_row_stride) + " must be >= " +
                      std::to_string(fp8_tiles_per_row(cols)));
  if (rows == 0) return;
  sm90_fp8_quant_act_1x128_kernel<<<rows, kActThreads, 0, stream>>>(x, cols, q, q_row_stride_bytes,
                                                                     scales, scale_row_stride, 1);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fp8_dequant_act_1x128(const E4m3Bits* q, std::int64_t q_row_stride_bytes,
                                  const float* scales, std::int64_t scale_row_stride, int rows,
                                  int cols, Bf16Bits* x, cudaStream_t stream) {
  require_shape(rows, cols);
  MOEPLAN_REQUIRE(q_row_stride_bytes >= cols && q_row_stride_bytes % 8 == 0,
                  "q_row_stride_bytes must be >= cols and a multiple of 8");
  if (rows == 0) return;
  sm90_fp8_dequant_act_1x128_kernel<<<blocks_for(static_cast<std::int64_t>(rows) * (cols / 8),
                                                 kThreads),
                                      kThreads, 0, stream>>>(q, q_row_stride_bytes, scales,
                                                             scale_row_stride, rows, cols, x);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fp8_quant_weight_128x128(const Bf16Bits* w, int rows, int cols, E4m3Bits* q,
                                     float* scales, cudaStream_t stream) {
  require_shape(rows, cols);
  if (rows == 0) return;
  const dim3 grid(static_cast<unsigned>(fp8_tiles_per_row(cols)),
                  static_cast<unsigned>(fp8_tiles_per_row(rows)));
  sm90_fp8_quant_weight_128x128_kernel<<<grid, kThreads, 0, stream>>>(
      w, rows, cols, q, scales, fp8_tiles_per_row(cols));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fp8_quant_act_1x128_gemm_scales(const Bf16Bits* x, int rows, int cols, E4m3Bits* q,
                                            float* scales, cudaStream_t stream) {
  require_shape(rows, cols);
  if (rows == 0) return;
  sm90_fp8_quant_act_1x128_kernel<<<rows, kActThreads, 0, stream>>>(x, cols, q, cols, scales, 1,
                                                                     rows);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fp8_quant_weight_128x128_gemm_scales(const Bf16Bits* w, int rows, int cols, E4m3Bits* q,
                                                 float* scales, cudaStream_t stream) {
  require_shape(rows, cols);
  if (rows == 0) return;
  const dim3 grid(static_cast<unsigned>(fp8_tiles_per_row(cols)),
                  static_cast<unsigned>(fp8_tiles_per_row(rows)));
  sm90_fp8_quant_weight_128x128_kernel<<<grid, kThreads, 0, stream>>>(
      w, rows, cols, q, scales, fp8_gemm_weight_scale_ld(cols));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fp8_dequant_weight_128x128(const E4m3Bits* q, const float* scales, int rows,
                                       int cols, Bf16Bits* w, cudaStream_t stream) {
  require_shape(rows, cols);
  if (rows == 0) return;
  sm90_fp8_dequant_weight_128x128_kernel<<<blocks_for(static_cast<std::int64_t>(rows) * (cols / 8),
                                                      kThreads),
                                           kThreads, 0, stream>>>(q, scales, rows, cols, w);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
