// CPU reference gate. Ranking everywhere: larger value first, ties to the lower
// index (of expert, group or node), exactly as the kernel breaks them.
#include "gating/gating_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "gating/portable_sigmoid.h"

namespace moeplan::kernels {
namespace {

struct Ranked {
  float value_;
  int index_;
};

bool ranks_before(const Ranked& a, const Ranked& b) {
  return a.value_ > b.value_ || (a.value_ == b.value_ && a.index_ < b.index_);
}

// Sum of the `count` largest values (fewer if fewer are given).
float sum_of_top(std::vector<float> values, int count) {
  std::sort(values.begin(), values.end(), std::greater<float>());
  float sum = 0.0f;
  const int taken = std::min<int>(count, static_cast<int>(values.size()));
  for (int i = 0; i < taken; ++i) sum += values[static_cast<std::size_t>(i)];
  return sum;
}

// Indices of the `count` best entries among those with keep[i] true.
std::vector<int> top_indices(const std::vector<float>& score, const std::vector<bool>& keep,
                             int count) {
  std::vector<Ranked> ranked;
  for (std::size_t i = 0; i < score.size(); ++i)
    if (keep[i]) ranked.push_back({score[i], static_cast<int>(i)});
  std::sort(ranked.begin(), ranked.end(), ranks_before);
  std::vector<int> chosen;
  for (std::size_t i = 0; i < ranked.size() && static_cast<int>(i) < count; ++i)
    chosen.push_back(ranked[i].index_);
  return chosen;
}

}  // namespace

void gating_reference(std::span<const float> logits, std::span<const float> expert_bias,
                      int num_tokens, const GatingConfig& config,
                      std::span<std::int32_t> topk_expert, std::span<float> topk_weight) {
  if (!validate_gating_config(config).empty())
    throw std::invalid_argument("gating_reference: invalid GatingConfig");
  const int num_experts = config.num_experts_;
  const int topk = config.topk_;
  const int epg = config.experts_per_group();
  const int epn = config.experts_per_node();
  const auto e_count = static_cast<std::size_t>(num_experts);

  for (int t = 0; t < num_tokens; ++t) {
    // Phase 1: scores (for weights) and biased scores (for selection).
    std::vector<float> score(e_count), biased(e_count);
    for (std::size_t e = 0; e < e_count; ++e) {
      score[e] = portable_sigmoid(logits[static_cast<std::size_t>(t) * e_count + e]);
      biased[e] = score[e] + expert_bias[e];
    }
    // Phase 2: group limit, groups ranked by the sum of their top-2 biased scores.
    std::vector<float> group_score(static_cast<std::size_t>(config.num_groups_));
    for (int g = 0; g < config.num_groups_; ++g)
      group_score[static_cast<std::size_t>(g)] =
          sum_of_top({biased.begin() + g * epg, biased.begin() + (g + 1) * epg}, 2);
    const std::vector<int> groups = top_indices(
        group_score, std::vector<bool>(group_score.size(), true), config.topk_groups_);
    std::vector<bool> eligible(e_count, false);
    for (int g : groups)
      for (int e = g * epg; e < (g + 1) * epg; ++e) eligible[static_cast<std::size_t>(e)] = true;

    // Phase 3: node limit, nodes with eligible experts ranked by the sum of
    // their top (topk/M) eligible biased scores.
    if (config.node_limited()) {
      const int quota = topk / config.max_nodes_;
      std::vector<float> node_score(static_cast<std::size_t>(config.num_nodes_), 0.0f);
      std::vector<bool> node_has_eligible(node_score.size(), false);
      for (int n = 0; n < config.num_nodes_; ++n) {
        std::vector<float> values;
        for (int e = n * epn; e < (n + 1) * epn; ++e)
          if (eligible[static_cast<std::size_t>(e)]) values.push_back(biased[static_cast<std::size_t>(e)]);
        node_has_eligible[static_cast<std::size_t>(n)] = !values.empty();
        node_score[static_cast<std::size_t>(n)] = sum_of_top(values, quota);
      }
      const std::vector<int> nodes = top_indices(node_score, node_has_eligible, config.max_nodes_);
      std::vector<bool> node_kept(node_score.size(), false);
      for (int n : nodes) node_kept[static_cast<std::size_t>(n)] = true;
      for (std::size_t e = 0; e < e_count; ++e)
        if (!node_kept[e / static_cast<std::size_t>(epn)]) eligible[e] = false;
    }

    // Phase 4: top-k experts among the eligible ones; weights from the unbiased
    // scores, normalised in selection order, times the routed scale.
    const std::vector<int> experts = top_indices(biased, eligible, topk);
    float sum = 0.0f;
    for (int e : experts) sum += score[static_cast<std::size_t>(e)];
    for (int k = 0; k < topk; ++k) {
      const auto out = static_cast<std::size_t>(t) * static_cast<std::size_t>(topk) +
                       static_cast<std::size_t>(k);
      const int e = experts[static_cast<std::size_t>(k)];
      topk_expert[out] = e;
      topk_weight[out] = score[static_cast<std::size_t>(e)] / sum * config.routed_scale_;
    }
  }
}

}  // namespace moeplan::kernels
