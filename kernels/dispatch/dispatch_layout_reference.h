// CPU reference of launch_dispatch_layout (dispatch_layout.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace moeplan::kernels {

struct DispatchLayoutHost {
  std::vector<std::int32_t> expert_rows_;
  std::vector<std::int32_t> expert_row_offsets_;
  std::vector<std::int32_t> rank_tokens_;
  std::vector<std::int32_t> rank_token_offsets_;
  std::vector<std::int32_t> pair_to_row_;
  std::vector<std::int32_t> row_to_pair_;  // only the first expert_row_offsets_.back() rows
};

DispatchLayoutHost dispatch_layout_reference(std::span<const std::int32_t> topk_expert,
                                             int num_tokens, int topk, int num_experts,
                                             int num_ranks);

}  // namespace moeplan::kernels
