// RMSNorm kernels (rms_norm.h).
//
//   forward   : one 256-thread block per row; pass 1 sums x^2 over 16-byte chunks
//               (8 bf16 per thread per step), block reduction by warp shuffles and
//               shared memory; pass 2 re-reads the row (L1/L2-resident, 14 KiB at
//               hidden 7168) and writes y.
//   backward  : dx the same shape (pass 1 mean(g * xhat), pass 2 dx); dw by a
//               column-parallel kernel writing fp32 partial sums per chunk of rows,
//               then one thread per column adds the partials in chunk order.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "norm/rms_norm.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kRowThreads = 256;
constexpr int kDwThreads = 128;        // 8 columns each: 1024 columns per block
constexpr std::int64_t kDwMaxChunks = 128;

__device__ __forceinline__ void unpack8(const uint4& chunk, float (&v)[8]) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&chunk);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 f = __bfloat1622float2(pairs[i]);
    v[2 * i] = f.x;
    v[2 * i + 1] = f.y;
  }
}

__device__ __forceinline__ uint4 pack8(const float (&v)[8]) {
  uint4 chunk;
  __nv_bfloat162* pairs = reinterpret_cast<__nv_bfloat162*>(&chunk);
#pragma unroll
  for (int i = 0; i < 4; ++i) pairs[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
  return chunk;
}

// Sum over the block; every thread gets the total.
__device__ __forceinline__ float block_sum(float value, float* smem) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_xor_sync(0xffffffffu, value, offset);
  if (threadIdx.x % 32 == 0) smem[threadIdx.x / 32] = value;
  __syncthreads();
  float total = 0.0f;
#pragma unroll
  for (int i = 0; i < kRowThreads / 32; ++i) total += smem[i];
  return total;
}

__global__ void __launch_bounds__(kRowThreads)
    sm90_bf16_rms_norm_forward_kernel(const uint4* __restrict__ x, const uint4* __restrict__ w,
                                      int chunks, float inverse_cols, float eps,
                                      uint4* __restrict__ y, float* __restrict__ rstd) {
  __shared__ float smem[kRowThreads / 32];
  const uint4* x_row = x + static_cast<std::int64_t>(blockIdx.x) * chunks;
  float sum_squares = 0.0f;
  for (int i = threadIdx.x; i < chunks; i += kRowThreads) {
    float v[8];
    unpack8(__ldg(x_row + i), v);
#pragma unroll
    for (int j = 0; j < 8; ++j) sum_squares = fmaf(v[j], v[j], sum_squares);
  }
  const float s = rsqrtf(block_sum(sum_squares, smem) * inverse_cols + eps);
  if (threadIdx.x == 0) rstd[blockIdx.x] = s;
  uint4* y_row = y + static_cast<std::int64_t>(blockIdx.x) * chunks;
  for (int i = threadIdx.x; i < chunks; i += kRowThreads) {
    float v[8], g[8];
    unpack8(__ldg(x_row + i), v);
    unpack8(__ldg(w + i), g);
#pragma unroll
    for (int j = 0; j < 8; ++j) v[j] = v[j] * s * g[j];
    y_row[i] = pack8(v);
  }
}

__global__ void __launch_bounds__(kRowThreads)
    sm90_bf16_rms_norm_backward_dx_kernel(const uint4* __restrict__ x, const uint4* __restrict__ w,
                                          const float* __restrict__ rstd,
                                          const uint4* __restrict__ dy, int chunks,
                                          float inverse_cols, uint4* __restrict__ dx) {
  __shared__ float smem[kRowThreads / 32];
  const std::int64_t row_offset = static_cast<std::int64_t>(blockIdx.x) * chunks;
  const float s = rstd[blockIdx.x];
  float dot = 0.0f;
  for (int i = threadIdx.x; i < chunks; i += kRowThreads) {
    float v[8], g[8], d[8];
    unpack8(__ldg(x + row_offset + i), v);
    unpack8(__ldg(w + i), g);
    unpack8(__ldg(dy + row_offset + i), d);
#pragma unroll
    for (int j = 0; j < 8; ++j) dot = fmaf(d[j] * g[j], v[j] * s, dot);
  }
  const float mean_dot = block_sum(dot, smem) * inverse_cols;
  for (int i = threadIdx.x; i < chunks; i += kRowThreads) {
    float v[8], g[8], d[8];
    unpack8(__ldg(x + row_offset + i), v);
    unpack8(__ldg(w + i), g);
    unpack8(__ldg(dy + row_offset + i), d);
#pragma unroll
    for (int j = 0; j < 8; ++j) v[j] = s * (d[j] * g[j] - v[j] * s * mean_dot);
    dx[row_offset + i] = pack8(v);
  }
}

// partial[chunk][c] = sum over rows of the chunk of dy[r, c] * x[r, c] * rstd[r].
__global__ void __launch_bounds__(kDwThreads)
    sm90_bf16_rms_norm_dw_partial_kernel(const uint4* __restrict__ x, const float* __restrict__ rstd,
                                         const uint4* __restrict__ dy, std::int64_t rows,
                                         int chunks, std::int64_t rows_per_chunk,
                                         float* __restrict__ partial) {
  const int i = blockIdx.x * kDwThreads + threadIdx.x;  // 16-byte column chunk
  if (i >= chunks) return;
  const std::int64_t r0 = blockIdx.y * rows_per_chunk;
  const std::int64_t r1 = r0 + rows_per_chunk < rows ? r0 + rows_per_chunk : rows;
  float sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::int64_t r = r0; r < r1; ++r) {
    float v[8], d[8];
    unpack8(__ldg(x + r * chunks + i), v);
    unpack8(__ldg(dy + r * chunks + i), d);
    const float s = __ldg(rstd + r);
#pragma unroll
    for (int j = 0; j < 8; ++j) sum[j] = fmaf(d[j], v[j] * s, sum[j]);
  }
  float4* out = reinterpret_cast<float4*>(partial + (static_cast<std::int64_t>(blockIdx.y) * chunks + i) * 8);
  out[0] = make_float4(sum[0], sum[1], sum[2], sum[3]);
  out[1] = make_float4(sum[4], sum[5], sum[6], sum[7]);
}

__global__ void sm90_fp32_rms_norm_dw_finish_kernel(const float* __restrict__ partial, int cols,
                                                    int partial_chunks, float* __restrict__ dw) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  float sum = 0.0f;
  for (int p = 0; p < partial_chunks; ++p) sum += partial[static_cast<std::int64_t>(p) * cols + c];
  dw[c] = sum;
}

void require_shape(std::int64_t rows, int cols) {
  MOEPLAN_REQUIRE(rows >= 0 && rows <= 0x7fffffff && cols > 0 && cols % 8 == 0,
                  "need 0 <= rows < 2^31 and cols a positive multiple of 8, got rows " +
                      std::to_string(rows) + ", cols " + std::to_string(cols));
}

std::int64_t dw_rows_per_chunk(std::int64_t rows) {
  const std::int64_t chunks = rows < kDwMaxChunks ? rows : kDwMaxChunks;
  return chunks == 0 ? 1 : (rows + chunks - 1) / chunks;
}

}  // namespace

void launch_rms_norm_forward(const Bf16Bits* x, const Bf16Bits* w, std::int64_t rows, int cols,
                             float eps, Bf16Bits* y, float* rstd, cudaStream_t stream) {
  require_shape(rows, cols);
  if (rows == 0) return;
  sm90_bf16_rms_norm_forward_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(x), reinterpret_cast<const uint4*>(w), cols / 8,
      1.0f / static_cast<float>(cols), eps, reinterpret_cast<uint4*>(y), rstd);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

std::size_t rms_norm_backward_workspace_bytes(std::int64_t rows, int cols) {
  const std::int64_t per_chunk = dw_rows_per_chunk(rows);
  const std::int64_t chunks = (rows + per_chunk - 1) / per_chunk;
  return static_cast<std::size_t>(chunks > 0 ? chunks : 1) * static_cast<std::size_t>(cols) * sizeof(float);
}

void launch_rms_norm_backward(const Bf16Bits* x, const Bf16Bits* w, const float* rstd,
                              const Bf16Bits* dy, std::int64_t rows, int cols, Bf16Bits* dx,
                              float* dw, void* workspace, cudaStream_t stream) {
  require_shape(rows, cols);
  const int chunks = cols / 8;
  if (rows == 0) {
    MOEPLAN_CUDA_CHECK(cudaMemsetAsync(dw, 0, static_cast<std::size_t>(cols) * sizeof(float), stream));
    return;
  }
  sm90_bf16_rms_norm_backward_dx_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(x), reinterpret_cast<const uint4*>(w), rstd,
      reinterpret_cast<const uint4*>(dy), chunks, 1.0f / static_cast<float>(cols),
      reinterpret_cast<uint4*>(dx));
  MOEPLAN_CUDA_CHECK_LAUNCH();
  const std::int64_t per_chunk = dw_rows_per_chunk(rows);
  const auto partial_chunks = static_cast<int>((rows + per_chunk - 1) / per_chunk);
  auto* partial = static_cast<float*>(workspace);
  const dim3 grid(static_cast<unsigned>((chunks + kDwThreads - 1) / kDwThreads),
                  static_cast<unsigned>(partial_chunks));
  sm90_bf16_rms_norm_dw_partial_kernel<<<grid, kDwThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(x), rstd, reinterpret_cast<const uint4*>(dy), rows, chunks,
      per_chunk, partial);
  MOEPLAN_CUDA_CHECK_LAUNCH();
  sm90_fp32_rms_norm_dw_finish_kernel<<<(cols + 255) / 256, 256, 0, stream>>>(partial, cols,
                                                                              partial_chunks, dw);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
