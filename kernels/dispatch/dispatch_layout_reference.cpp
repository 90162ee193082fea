// CPU reference dispatch layout: counting sort of the (token, k) pairs by expert.
#include "dispatch/dispatch_layout_reference.h"

#include <set>

namespace moeplan::kernels {

DispatchLayoutHost dispatch_layout_reference(std::span<const std::int32_t> topk_expert,
                                             int num_tokens, int topk, int num_experts,
                                             int num_ranks) {
  const auto e_count = static_cast<std::size_t>(num_experts);
  const auto r_count = static_cast<std::size_t>(num_ranks);
  const int experts_per_rank = num_experts / num_ranks;
  const std::size_t num_pairs = static_cast<std::size_t>(num_tokens) * static_cast<std::size_t>(topk);
  DispatchLayoutHost out;
  out.expert_rows_.assign(e_count, 0);
  out.rank_tokens_.assign(r_count, 0);

  // Phase 1: counts per expert, distinct tokens per rank.
  for (int t = 0; t < num_tokens; ++t) {
    std::set<int> ranks;
    for (int k = 0; k < topk; ++k) {
      const int e = topk_expert[static_cast<std::size_t>(t * topk + k)];
      if (e < 0 || e >= num_experts) continue;
      ++out.expert_rows_[static_cast<std::size_t>(e)];
      ranks.insert(e / experts_per_rank);
    }
    for (int r : ranks) ++out.rank_tokens_[static_cast<std::size_t>(r)];
  }
  // Phase 2: exclusive scans.
  out.expert_row_offsets_.assign(e_count + 1, 0);
  for (std::size_t e = 0; e < e_count; ++e)
    out.expert_row_offsets_[e + 1] = out.expert_row_offsets_[e] + out.expert_rows_[e];
  out.rank_token_offsets_.assign(r_count + 1, 0);
  for (std::size_t r = 0; r < r_count; ++r)
    out.rank_token_offsets_[r + 1] = out.rank_token_offsets_[r] + out.rank_tokens_[r];
  // Phase 3: stable placement in pair order.
  std::vector<std::int32_t> cursor(out.expert_row_offsets_.begin(), out.expert_row_offsets_.end() - 1);
  out.pair_to_row_.assign(num_pairs, -1);
  out.row_to_pair_.assign(static_cast<std::size_t>(out.expert_row_offsets_.back()), -1);
  for (std::size_t p = 0; p < num_pairs; ++p) {
    const int e = topk_expert[p];
    if (e < 0 || e >= num_experts) continue;
    const int row = cursor[static_cast<std::size_t>(e)]++;
    out.pair_to_row_[p] = row;
    out.row_to_pair_[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(p);
  }
  return out;
}

}  // namespace moeplan::kernels
