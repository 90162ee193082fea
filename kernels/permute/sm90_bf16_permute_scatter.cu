// Permute kernel: one block per token; each thread loads its 16-byte chunks of
// the token row (all loads issued before any store), then stores every chunk
// to each of the token's destination rows. Bytes: hidden*2 read once per token,
// hidden*2 written per routed pair.
#include <cuda_runtime.h>

#include <string>

#include "permute/permute.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 128;
constexpr int kChunksPerThread = 8;  // 8 x 16 B in flight per thread
constexpr int kMaxTopk = 32;

__global__ void __launch_bounds__(kThreads)
    sm90_bf16_permute_scatter_kernel(const uint4* __restrict__ x,
                                     const std::int32_t* __restrict__ pair_to_row, int topk,
                                     int chunks_per_row, uint4* __restrict__ x_grouped) {
  __shared__ int rows_smem[kMaxTopk];
  const int token = blockIdx.x;
  if (threadIdx.x < topk) rows_smem[threadIdx.x] = pair_to_row[static_cast<size_t>(token) * topk + threadIdx.x];
  __syncthreads();
  const uint4* src = x + static_cast<size_t>(token) * chunks_per_row;
  for (int base = 0; base < chunks_per_row; base += kThreads * kChunksPerThread) {
    uint4 chunk[kChunksPerThread];
#pragma unroll
    for (int i = 0; i < kChunksPerThread; ++i) {
      const int c = base + i * kThreads + threadIdx.x;
      if (c < chunks_per_row) chunk[i] = __ldg(src + c);
    }
    for (int k = 0; k < topk; ++k) {
      const int row = rows_smem[k];
      if (row < 0) continue;
      uint4* dst = x_grouped + static_cast<size_t>(row) * chunks_per_row;
#pragma unroll
      for (int i = 0; i < kChunksPerThread; ++i) {
        const int c = base + i * kThreads + threadIdx.x;
        if (c < chunks_per_row) dst[c] = chunk[i];
      }
    }
  }
}

}  // namespace

void launch_permute(const Bf16Bits* x, const std::int32_t* pair_to_row, int num_tokens,
                    int topk, int hidden, Bf16Bits* x_grouped, cudaStream_t stream) {
  MOEPLAN_REQUIRE(hidden > 0 && hidden % 8 == 0,
                  "hidden " + std::to_string(hidden) + " must be a positive multiple of 8");
  MOEPLAN_REQUIRE(topk >= 1 && topk <= kMaxTopk, "topk " + std::to_string(topk) + " must be in [1, 32]");
  MOEPLAN_REQUIRE(reinterpret_cast<std::uintptr_t>(x) % 16 == 0 &&
                      reinterpret_cast<std::uintptr_t>(x_grouped) % 16 == 0,
                  "x and x_grouped must be 16-byte aligned");
  if (num_tokens <= 0) return;
  sm90_bf16_permute_scatter_kernel<<<num_tokens, kThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(x), pair_to_row, topk, hidden / 8,
      reinterpret_cast<uint4*>(x_grouped));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
