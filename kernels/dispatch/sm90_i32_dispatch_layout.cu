// Dispatch layout kernels.
//
//   count  : one thread per token; shared-memory histograms of experts and of
//            distinct destination ranks, merged with global atomics.
//   place  : one block per expert, plus one block for the offset arrays. Block e
//            sums the counts of experts < e for its base row, then streams the
//            pairs in order in tiles of 4096 and compacts its own pairs with a
//            block-wide exclusive scan: stable by construction, no sort.
#include <cuda_runtime.h>

#include <string>

#include "dispatch/dispatch_layout.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kCountThreads = 256;
constexpr int kPlaceThreads = 1024;
constexpr int kPairsPerThread = 4;
constexpr int kWarpSize = 32;

__global__ void __launch_bounds__(kCountThreads)
    sm90_i32_dispatch_count_kernel(const std::int32_t* __restrict__ topk_expert, int num_tokens,
                                   int topk, int num_experts, int num_ranks,
                                   std::int32_t* __restrict__ expert_rows,
                                   std::int32_t* __restrict__ rank_tokens,
                                   std::int32_t* __restrict__ pair_to_row) {
  extern __shared__ int hist_smem[];
  int* expert_hist = hist_smem;
  int* rank_hist = hist_smem + num_experts;
  for (int i = threadIdx.x; i < num_experts + num_ranks; i += blockDim.x) hist_smem[i] = 0;
  __syncthreads();

  const int experts_per_rank = num_experts / num_ranks;
  const int token = blockIdx.x * blockDim.x + threadIdx.x;
  if (token < num_tokens) {
    const std::int32_t* choices = topk_expert + static_cast<size_t>(token) * topk;
    for (int k = 0; k < topk; ++k) {
      const int e = choices[k];
      if (e < 0 || e >= num_experts) {
        pair_to_row[static_cast<size_t>(token) * topk + k] = -1;
        continue;
      }
      atomicAdd(&expert_hist[e], 1);
      const int rank = e / experts_per_rank;
      bool first_on_rank = true;
      for (int j = 0; j < k; ++j)
        if (choices[j] >= 0 && choices[j] < num_experts &&
            choices[j] / experts_per_rank == rank) first_on_rank = false;
      if (first_on_rank) atomicAdd(&rank_hist[rank], 1);
    }
  }
  __syncthreads();
  for (int i = threadIdx.x; i < num_experts; i += blockDim.x)
    if (expert_hist[i] != 0) atomicAdd(&expert_rows[i], expert_hist[i]);
  for (int i = threadIdx.x; i < num_ranks; i += blockDim.x)
    if (rank_hist[i] != 0) atomicAdd(&rank_tokens[i], rank_hist[i]);
}

// Exclusive scan of one int per thread over the block; returns the prefix and
// writes the block total to `total`.
__device__ int block_exclusive_scan(int value, int* warp_totals_smem, int& total) {
  const int lane = threadIdx.x % kWarpSize;
  const int warp = threadIdx.x / kWarpSize;
  int inclusive = value;
#pragma unroll
  for (int offset = 1; offset < kWarpSize; offset <<= 1) {
    const int up = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset) inclusive += up;
  }
  if (lane == kWarpSize - 1) warp_totals_smem[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    const int num_warps = blockDim.x / kWarpSize;
    int warp_value = lane < num_warps ? warp_totals_smem[lane] : 0;
#pragma unroll
    for (int offset = 1; offset < kWarpSize; offset <<= 1) {
      const int up = __shfl_up_sync(0xffffffffu, warp_value, offset);
      if (lane >= offset) warp_value += up;
    }
    if (lane < num_warps) warp_totals_smem[lane] = warp_value;  // inclusive per warp
  }
  __syncthreads();
  const int warp_base = warp == 0 ? 0 : warp_totals_smem[warp - 1];
  total = warp_totals_smem[blockDim.x / kWarpSize - 1];
  __syncthreads();  // warp_totals_smem is reused by the next call
  return warp_base + inclusive - value;
}

__global__ void __launch_bounds__(kPlaceThreads)
    sm90_i32_dispatch_place_kernel(const std::int32_t* __restrict__ topk_expert, int num_pairs,
                                   int num_experts, int num_ranks,
                                   const std::int32_t* __restrict__ expert_rows,
                                   const std::int32_t* __restrict__ rank_tokens,
                                   std::int32_t* __restrict__ expert_row_offsets,
                                   std::int32_t* __restrict__ rank_token_offsets,
                                   std::int32_t* __restrict__ pair_to_row,
                                   std::int32_t* __restrict__ row_to_pair) {
  __shared__ int counts_smem[kDispatchMaxExperts];
  __shared__ int warp_totals_smem[kWarpSize];
  const int expert = blockIdx.x;

  if (expert == num_experts) {  // the offsets block: inclusive sums, written shifted by one
    for (int i = threadIdx.x; i < num_experts; i += blockDim.x) counts_smem[i] = expert_rows[i];
    __syncthreads();
    for (int i = threadIdx.x; i <= num_experts; i += blockDim.x) {
      int sum = 0;
      for (int j = 0; j < i; ++j) sum += counts_smem[j];
      expert_row_offsets[i] = sum;
    }
    __syncthreads();
    for (int i = threadIdx.x; i < num_ranks; i += blockDim.x) counts_smem[i] = rank_tokens[i];
    __syncthreads();
    for (int i = threadIdx.x; i <= num_ranks; i += blockDim.x) {
      int sum = 0;
      for (int j = 0; j < i; ++j) sum += counts_smem[j];
      rank_token_offsets[i] = sum;
    }
    return;
  }

  // Base row of this expert: rows of all lower experts.
  int lower = 0;
  for (int j = threadIdx.x; j < expert; j += blockDim.x) lower += expert_rows[j];
  int base = 0;
  (void)block_exclusive_scan(lower, warp_totals_smem, base);
  if (expert_rows[expert] == 0) return;

  // Stream the pairs in order; each thread owns kPairsPerThread consecutive pairs.
  constexpr int kTilePairs = kPlaceThreads * kPairsPerThread;
  for (int tile = 0; tile < num_pairs; tile += kTilePairs) {
    const int first = tile + static_cast<int>(threadIdx.x) * kPairsPerThread;
    int matches = 0;
#pragma unroll
    for (int j = 0; j < kPairsPerThread; ++j)
      if (first + j < num_pairs && topk_expert[first + j] == expert) ++matches;
    int tile_total = 0;
    int row = base + block_exclusive_scan(matches, warp_totals_smem, tile_total);
    if (matches != 0) {
#pragma unroll
      for (int j = 0; j < kPairsPerThread; ++j) {
        if (first + j < num_pairs && topk_expert[first + j] == expert) {
          pair_to_row[first + j] = row;
          row_to_pair[row] = first + j;
          ++row;
        }
      }
    }
    base += tile_total;
  }
}

}  // namespace

void launch_dispatch_layout(const std::int32_t* topk_expert, int num_tokens, int topk,
                            int num_experts, int num_ranks, const DispatchLayout& layout,
                            cudaStream_t stream) {
  MOEPLAN_REQUIRE(num_experts >= 1 && num_experts <= kDispatchMaxExperts,
                  "num_experts " + std::to_string(num_experts) + " must be in [1, " +
                      std::to_string(kDispatchMaxExperts) + "]");
  MOEPLAN_REQUIRE(num_ranks >= 1 && num_experts % num_ranks == 0,
                  "num_ranks " + std::to_string(num_ranks) + " must divide num_experts " +
                      std::to_string(num_experts));
  MOEPLAN_REQUIRE(num_tokens >= 0 && topk >= 1, "need num_tokens >= 0 and topk >= 1, got " +
                                                    std::to_string(num_tokens) + ", " +
                                                    std::to_string(topk));
  MOEPLAN_REQUIRE(static_cast<long long>(num_tokens) * topk < (1LL << 31),
                  "num_tokens*topk must fit in int32");
  const int num_pairs = num_tokens * topk;
  MOEPLAN_CUDA_CHECK(cudaMemsetAsync(layout.expert_rows_, 0, sizeof(std::int32_t) * num_experts, stream));
  MOEPLAN_CUDA_CHECK(cudaMemsetAsync(layout.rank_tokens_, 0, sizeof(std::int32_t) * num_ranks, stream));
  if (num_tokens > 0) {
    const int blocks = (num_tokens + kCountThreads - 1) / kCountThreads;
    const size_t smem = sizeof(int) * static_cast<size_t>(num_experts + num_ranks);
    sm90_i32_dispatch_count_kernel<<<blocks, kCountThreads, smem, stream>>>(
        topk_expert, num_tokens, topk, num_experts, num_ranks, layout.expert_rows_,
        layout.rank_tokens_, layout.pair_to_row_);
    MOEPLAN_CUDA_CHECK_LAUNCH();
  }
  sm90_i32_dispatch_place_kernel<<<num_experts + 1, kPlaceThreads, 0, stream>>>(
      topk_expert, num_pairs, num_experts, num_ranks, layout.expert_rows_, layout.rank_tokens_,
      layout.expert_row_offsets_, layout.rank_token_offsets_, layout.pair_to_row_,
      layout.row_to_pair_);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
