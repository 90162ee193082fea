// Routing configuration of a DeepSeek-V3 style gate and its validation.
//
//   experts  0 ............................................ num_experts_-1
//   groups   |  g0  |  g1  |  g2  | ... one group = num_experts_/num_groups_
//   nodes    |    n0       |    n1      | ... one node = num_experts_/num_nodes_
//
// A token keeps the topk_groups_ groups with the largest sum of their top-2
// biased scores, then (when node_limited()) the max_nodes_ nodes with the
// largest sum of their top (topk_/max_nodes_) eligible biased scores, then the
// topk_ experts with the largest biased scores among the experts left.
#pragma once

#include <string>
#include <vector>

namespace moeplan::kernels {

struct GatingConfig {
  int num_experts_ = 256;
  int num_groups_ = 8;
  int topk_groups_ = 4;
  int topk_ = 8;
  int num_nodes_ = 1;  // experts spread evenly over this many nodes (1: no node limit)
  int max_nodes_ = 1;  // M: at most this many nodes per token when num_nodes_ > 1
  float routed_scale_ = 2.5f;

  bool node_limited() const { return num_nodes_ > 1 && max_nodes_ < num_nodes_; }
  int experts_per_group() const { return num_experts_ / num_groups_; }
  int experts_per_node() const { return num_experts_ / num_nodes_; }
};

// Limits of the GPU kernel (one warp per token, one lane per group and per node).
inline constexpr int kGatingMaxExperts = 256;
inline constexpr int kGatingMaxGroups = 32;
inline constexpr int kGatingMaxNodes = 32;
inline constexpr int kGatingMaxTopk = 32;

// Every problem with `config`, one message each; empty when valid.
inline std::vector<std::string> validate_gating_config(const GatingConfig& config) {
  std::vector<std::string> problems;
  auto require = [&problems](bool ok, const std::string& message) {
    if (!ok) problems.push_back(message);
  };
  const auto& c = config;
  require(c.num_experts_ >= 1 && c.num_experts_ <= kGatingMaxExperts,
          "num_experts " + std::to_string(c.num_experts_) + " must be in [1, " +
              std::to_string(kGatingMaxExperts) + "]");
  require(c.num_groups_ >= 1 && c.num_groups_ <= kGatingMaxGroups,
          "num_groups " + std::to_string(c.num_groups_) + " must be in [1, " +
              std::to_string(kGatingMaxGroups) + "]");
  require(c.num_nodes_ >= 1 && c.num_nodes_ <= kGatingMaxNodes,
          "num_nodes " + std::to_string(c.num_nodes_) + " must be in [1, " +
              std::to_string(kGatingMaxNodes) + "]");
  require(c.topk_ >= 1 && c.topk_ <= kGatingMaxTopk,
          "topk " + std::to_string(c.topk_) + " must be in [1, " + std::to_string(kGatingMaxTopk) +
              "]");
  if (!problems.empty()) return problems;
  require(c.num_experts_ % c.num_groups_ == 0,
          "num_experts " + std::to_string(c.num_experts_) + " must be a multiple of num_groups " +
              std::to_string(c.num_groups_));
  require(c.num_experts_ % c.num_nodes_ == 0,
          "num_experts " + std::to_string(c.num_experts_) + " must be a multiple of num_nodes " +
              std::to_string(c.num_nodes_));
  require(c.topk_groups_ >= 1 && c.topk_groups_ <= c.num_groups_,
          "topk_groups " + std::to_string(c.topk_groups_) + " must be in [1, num_groups=" +
              std::to_string(c.num_groups_) + "]");
  if (!problems.empty()) return problems;
  require(c.experts_per_group() >= 2,
          "each group needs at least 2 experts (group score is a top-2 sum); have " +
              std::to_string(c.experts_per_group()));
  require(c.topk_groups_ * c.experts_per_group() >= c.topk_,
          "topk_groups*experts_per_group = " +
              std::to_string(c.topk_groups_ * c.experts_per_group()) + " must be >= topk " +
              std::to_string(c.topk_));
  if (c.node_limited()) {
    require(c.max_nodes_ >= 1, "max_nodes " + std::to_string(c.max_nodes_) + " must be >= 1");
    if (c.max_nodes_ >= 1) {
      require(c.topk_ % c.max_nodes_ == 0, "topk " + std::to_string(c.topk_) +
                                               " must be a multiple of max_nodes " +
                                               std::to_string(c.max_nodes_));
      const int epg = c.experts_per_group();
      const int epn = c.experts_per_node();
      require(epg % epn == 0 || epn % epg == 0,
              "nodes and groups must nest: experts_per_group " + std::to_string(epg) +
                  " and experts_per_node " + std::to_string(epn) +
                  " must divide one another");
      // Every node left after the group limit then holds at least
      // min(epg, epn) eligible experts, so M nodes always offer topk experts.
      const int per_node_quota = c.topk_ / c.max_nodes_;
      require(std::min(epg, epn) >= per_node_quota,
              "min(experts_per_group, experts_per_node) = " + std::to_string(std::min(epg, epn)) +
                  " must be >= topk/max_nodes = " + std::to_string(per_node_quota));
    }
  }
  return problems;
}

}  // namespace moeplan::kernels
