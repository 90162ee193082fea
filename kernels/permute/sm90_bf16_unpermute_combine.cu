// Unpermute-combine kernel: one block per token; each thread owns 16-byte
// chunks (8 bf16) of the output row, loads that chunk from all of the token's
// expert rows (topk independent loads in flight), accumulates w_k * y in fp32
// in k order and stores one rounded bf16 chunk. Bytes: hidden*2 read per
// routed pair, hidden*2 written per token.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "permute/permute.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 128;

__device__ __forceinline__ void accumulate_chunk(float (&acc)[8], const uint4& chunk, float w) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(&chunk);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 v = __bfloat1622float2(pairs[i]);
    acc[2 * i] = fmaf(w, v.x, acc[2 * i]);
    acc[2 * i + 1] = fmaf(w, v.y, acc[2 * i + 1]);
  }
}

__global__ void __launch_bounds__(kThreads)
    sm90_bf16_unpermute_combine_kernel(const uint4* __restrict__ y_grouped,
                                       const std::int32_t* __restrict__ pair_to_row,
                                       const float* __restrict__ topk_weight, int topk,
                                       int chunks_per_row, uint4* __restrict__ out) {
  __shared__ int rows_smem[kCombineMaxTopk];
  __shared__ float weights_smem[kCombineMaxTopk];
  const int token = blockIdx.x;
  if (threadIdx.x < topk) {
    const size_t pair = static_cast<size_t>(token) * topk + threadIdx.x;
    rows_smem[threadIdx.x] = pair_to_row[pair];
    weights_smem[threadIdx.x] = topk_weight[pair];
  }
  __syncthreads();
  for (int c = threadIdx.x; c < chunks_per_row; c += kThreads) {
    uint4 chunk[kCombineMaxTopk];
#pragma unroll
    for (int k = 0; k < kCombineMaxTopk; ++k) {
      if (k < topk && rows_smem[k] >= 0)
        chunk[k] = __ldg(y_grouped + static_cast<size_t>(rows_smem[k]) * chunks_per_row + c);
    }
    float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
#pragma unroll
    for (int k = 0; k < kCombineMaxTopk; ++k)
      if (k < topk && rows_smem[k] >= 0) accumulate_chunk(acc, chunk[k], weights_smem[k]);
    uint4 result;
    __nv_bfloat162* packed = reinterpret_cast<__nv_bfloat162*>(&result);
#pragma unroll
    for (int i = 0; i < 4; ++i) packed[i] = __floats2bfloat162_rn(acc[2 * i], acc[2 * i + 1]);
    out[static_cast<size_t>(token) * chunks_per_row + c] = result;
  }
}

}  // namespace

void launch_unpermute_combine(const Bf16Bits* y_grouped, const std::int32_t* pair_to_row,
                              const float* topk_weight, int num_tokens, int topk, int hidden,
                              Bf16Bits* out, cudaStream_t stream) {
  MOEPLAN_REQUIRE(hidden > 0 && hidden % 8 == 0,
                  "hidden " + std::to_string(hidden) + " must be a positive multiple of 8");
  MOEPLAN_REQUIRE(topk >= 1 && topk <= kCombineMaxTopk,
                  "topk " + std::to_string(topk) + " must be in [1, " +
                      std::to_string(kCombineMaxTopk) + "]");
  MOEPLAN_REQUIRE(reinterpret_cast<std::uintptr_t>(y_grouped) % 16 == 0 &&
                      reinterpret_cast<std::uintptr_t>(out) % 16 == 0,
                  "y_grouped and out must be 16-byte aligned");
  if (num_tokens <= 0) return;
  sm90_bf16_unpermute_combine_kernel<<<num_tokens, kThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(y_grouped), pair_to_row, topk_weight, topk, hidden / 8,
      reinterpret_cast<uint4*>(out));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
