// Dispatch layout on the GPU: from the top-k expert choices, per-expert counts
// and offsets, per-destination-rank token counts and offsets, and the stable
// permutation that groups (token, k) pairs by expert.
// CPU reference: dispatch_layout_reference.h.
//
//   pair p = token*topk + k          row r in the expert-grouped buffer
//   experts are spread evenly over ranks: rank = expert / (num_experts/num_ranks)
//
//   expert_rows  [num_experts]     pairs routed to each expert
//   expert_row_offsets [num_experts+1]  exclusive scan of expert_rows
//   rank_tokens  [num_ranks]       distinct tokens sent to each rank (a token
//                                  goes once to each rank holding any of its experts)
//   rank_token_offsets [num_ranks+1]  exclusive scan of rank_tokens (send-buffer layout)
//   pair_to_row  [num_tokens*topk] row of each pair, -1 for dropped pairs
//   row_to_pair  [num_tokens*topk] inverse; rows past the last valid one untouched
// Rows of one expert keep the pairs' order (stable): token order, then k.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace moeplan::kernels {

struct DispatchLayout {
  std::int32_t* expert_rows_ = nullptr;
  std::int32_t* expert_row_offsets_ = nullptr;
  std::int32_t* rank_tokens_ = nullptr;
  std::int32_t* rank_token_offsets_ = nullptr;
  std::int32_t* pair_to_row_ = nullptr;
  std::int32_t* row_to_pair_ = nullptr;
};

inline constexpr int kDispatchMaxExperts = 1024;

// topk_expert: [num_tokens, topk] int32 (device); entries outside [0, num_experts) are
// dropped pairs (pair_to_row -1, counted nowhere).
// All DispatchLayout pointers are device pointers sized as above.
void launch_dispatch_layout(const std::int32_t* topk_expert, int num_tokens, int topk,
                            int num_experts, int num_ranks, const DispatchLayout& layout,
                            cudaStream_t stream);

}  // namespace moeplan::kernels
