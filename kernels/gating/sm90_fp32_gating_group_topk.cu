// Gating kernel: one warp per token, DeepSeek-V3 routing (see gating_config.h).
//
// Layout: lane l holds experts l, l+32, l+64, ... in registers (slot s holds
// expert 32*s + l, so each slot's load is one coalesced 128-byte row segment);
// a padded shared-memory copy of the biased scores lets lane g scan group g
// (and lane n scan node n) without bank conflicts.
// Ranking everywhere: larger value first, ties to the lower index, the same
// total order as gating_reference.cpp, so selections match bit for bit.
#include <cuda_runtime.h>

#include <climits>
#include <cmath>
#include <string>

#include "gating/gating.h"
#include "gating/portable_sigmoid.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kWarpSize = 32;
constexpr int kWarpsPerBlock = 8;
constexpr int kSlotsPerLane = kGatingMaxExperts / kWarpSize;
constexpr int kPaddedExperts = kGatingMaxExperts + kGatingMaxExperts / kWarpSize;
constexpr int kNoIndex = INT_MAX;

struct GatingParams {
  int num_experts;
  int num_groups;
  int topk_groups;
  int topk;
  int num_nodes;  // 1 when not node-limited
  int max_nodes;
  int experts_per_group;
  int experts_per_node;
  float routed_scale;
};

__device__ __forceinline__ int padded(int expert) { return expert + (expert >> 5); }

__device__ __forceinline__ bool ranks_before(float a_value, int a_index, float b_value,
                                             int b_index) {
  return a_value > b_value || (a_value == b_value && a_index < b_index);
}

// All lanes end with the warp's best (value, index).
__device__ __forceinline__ void warp_best(float& value, int& index) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset >>= 1) {
    const float other_value = __shfl_xor_sync(0xffffffffu, value, offset);
    const int other_index = __shfl_xor_sync(0xffffffffu, index, offset);
    if (ranks_before(other_value, other_index, value, index)) {
      value = other_value;
      index = other_index;
    }
  }
}

// Picks `count` of the lanes' candidates (lane index = candidate index) best
// first; returns the bit mask of the chosen lanes. Stops early when no
// candidate is left.
__device__ __forceinline__ unsigned warp_select_lanes(float lane_value, bool lane_valid,
                                                      int count, int lane) {
  unsigned chosen = 0;
  float value = lane_valid ? lane_value : -INFINITY;
  int index = lane_valid ? lane : kNoIndex;
  for (int round = 0; round < count; ++round) {
    float best_value = value;
    int best_index = index;
    warp_best(best_value, best_index);
    if (best_index == kNoIndex) break;
    chosen |= 1u << best_index;
    if (lane == best_index) {
      value = -INFINITY;
      index = kNoIndex;
    }
  }
  return chosen;
}

// Sum of the top `quota` biased scores among eligible experts [first, last),
// summed best first starting from 0 (as the reference does). Returns false
// when none of them is eligible.
// Experts outside the kept groups hold -inf in biased_smem by then.
__device__ bool node_score_of(const float* biased_smem, int first, int last, int quota,
                              float& sum) {
  sum = 0.0f;
  bool any = false;
  float last_value = INFINITY;
  int last_index = -1;
  for (int q = 0; q < quota; ++q) {
    float best_value = -INFINITY;
    int best_index = kNoIndex;
    for (int e = first; e < last; ++e) {
      const float v = biased_smem[padded(e)];
      if (v == -INFINITY) continue;
      if (ranks_before(last_value, last_index, v, e) && ranks_before(v, e, best_value, best_index)) {
        best_value = v;
        best_index = e;
      }
    }
    if (best_index == kNoIndex) break;
    sum += best_value;
    any = true;
    last_value = best_value;
    last_index = best_index;
  }
  return any;
}

__global__ void __launch_bounds__(kWarpsPerBlock* kWarpSize)
    sm90_fp32_gating_group_topk_kernel(const float* __restrict__ logits,
                                       const float* __restrict__ expert_bias, int num_tokens,
                                       GatingParams p, std::int32_t* __restrict__ topk_expert,
                                       float* __restrict__ topk_weight) {
  __shared__ float biased_smem_all[kWarpsPerBlock][kPaddedExperts];
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int token = static_cast<int>(blockIdx.x) * kWarpsPerBlock + warp;
  if (token >= num_tokens) return;  // the whole warp leaves together
  float* biased_smem = biased_smem_all[warp];

  // Phase 1: scores and biased scores, kept in registers and in shared memory.
  float score[kSlotsPerLane];
  float biased[kSlotsPerLane];
  unsigned present_bits = 0;
  const float* row = logits + static_cast<size_t>(token) * p.num_experts;
#pragma unroll
  for (int s = 0; s < kSlotsPerLane; ++s) {
    const int e = s * kWarpSize + lane;
    score[s] = 0.0f;
    biased[s] = -INFINITY;
    if (e < p.num_experts) {
      score[s] = portable_sigmoid(row[e]);
      biased[s] = score[s] + expert_bias[e];
      biased_smem[padded(e)] = biased[s];
      present_bits |= 1u << s;
    }
  }
  __syncwarp();

  // Phase 2: group limit. Lane g scores group g by its top-2 biased scores.
  float group_score = -INFINITY;
  if (lane < p.num_groups) {
    float top1 = -INFINITY, top2 = -INFINITY;
    for (int e = lane * p.experts_per_group; e < (lane + 1) * p.experts_per_group; ++e) {
      const float v = biased_smem[padded(e)];
      if (v > top1) {
        top2 = top1;
        top1 = v;
      } else if (v > top2) {
        top2 = v;
      }
    }
    group_score = 0.0f + top1 + top2;
  }
  const unsigned group_mask =
      warp_select_lanes(group_score, lane < p.num_groups, p.topk_groups, lane);

  // Phase 3: node limit. Lane n scores node n by its top (topk/M) eligible scores.
  unsigned node_mask = 0xffffffffu;
  if (p.num_nodes > 1) {
    // Mask the experts of dropped groups in shared memory, so node scans skip them.
#pragma unroll
    for (int s = 0; s < kSlotsPerLane; ++s) {
      const int e = s * kWarpSize + lane;
      if (e < p.num_experts && ((group_mask >> (e / p.experts_per_group)) & 1u) == 0)
        biased_smem[padded(e)] = -INFINITY;
    }
    __syncwarp();
    float node_score = -INFINITY;
    bool node_valid = false;
    if (lane < p.num_nodes) {
      node_valid = node_score_of(biased_smem, lane * p.experts_per_node,
                                 (lane + 1) * p.experts_per_node, p.topk / p.max_nodes,
                                 node_score);
    }
    node_mask = warp_select_lanes(node_score, node_valid, p.max_nodes, lane);
  }

  unsigned eligible_bits = 0;
#pragma unroll
  for (int s = 0; s < kSlotsPerLane; ++s) {
    const int e = s * kWarpSize + lane;
    const bool in_group = ((group_mask >> (e / p.experts_per_group)) & 1u) != 0;
    const bool in_node = ((node_mask >> (e / p.experts_per_node)) & 1u) != 0;
    if (((present_bits >> s) & 1u) != 0 && in_group && in_node) eligible_bits |= 1u << s;
  }

  // Phase 4: top-k experts; lane k keeps the k-th choice and its score.
  int my_expert = -1;
  float my_score = 0.0f;
  float sum = 0.0f;
  for (int k = 0; k < p.topk; ++k) {
    float best_value = -INFINITY;
    int best_index = kNoIndex;
#pragma unroll
    for (int s = 0; s < kSlotsPerLane; ++s) {
      if (((eligible_bits >> s) & 1u) == 0) continue;
      const int e = s * kWarpSize + lane;
      if (ranks_before(biased[s], e, best_value, best_index)) {
        best_value = biased[s];
        best_index = e;
      }
    }
    warp_best(best_value, best_index);
    if (best_index == kNoIndex) break;  // cannot happen for a valid config
    const int owner = best_index % kWarpSize;
    const int owner_slot = best_index / kWarpSize;
    float owner_score = 0.0f;
#pragma unroll
    for (int s = 0; s < kSlotsPerLane; ++s)
      if (s == owner_slot) owner_score = score[s];
    const float chosen_score = __shfl_sync(0xffffffffu, owner_score, owner);
    if (lane == owner) eligible_bits &= ~(1u << owner_slot);
    if (lane == k) {
      my_expert = best_index;
      my_score = chosen_score;
    }
    sum += chosen_score;
  }
  if (lane < p.topk) {
    const size_t out = static_cast<size_t>(token) * p.topk + lane;
    topk_expert[out] = my_expert;
    topk_weight[out] = my_expert >= 0 ? my_score / sum * p.routed_scale : 0.0f;
  }
}

}  // namespace

void launch_gating(const float* logits, const float* expert_bias, int num_tokens,
                   const GatingConfig& config, std::int32_t* topk_expert, float* topk_weight,
                   cudaStream_t stream) {
  const auto problems = validate_gating_config(config);
  if (!problems.empty()) {
    std::string all;
    for (const auto& problem : problems) all += "\n  " + problem;
    MOEPLAN_REQUIRE(problems.empty(), "invalid GatingConfig:" + all);
  }
  MOEPLAN_REQUIRE(num_tokens >= 0, "num_tokens must be >= 0, got " + std::to_string(num_tokens));
  if (num_tokens == 0) return;
  const GatingParams params{config.num_experts_,       config.num_groups_,
                            config.topk_groups_,       config.topk_,
                            config.node_limited() ? config.num_nodes_ : 1,
                            config.max_nodes_,         config.experts_per_group(),
                            config.node_limited() ? config.experts_per_node() : config.num_experts_,
                            config.routed_scale_};
  const int blocks = (num_tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  sm90_fp32_gating_group_topk_kernel<<<blocks, kWarpsPerBlock * kWarpSize, 0, stream>>>(
      logits, expert_bias, num_tokens, params, topk_expert, topk_weight);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
