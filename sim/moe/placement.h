// Expert placement: which logical expert each physical expert slot of an
// expert-parallel group holds. Two policies:
//   contiguous  expert e on GPU e / (E / gpus), one replica each (DeepSeek-V3
//               training: 256 experts over EP64, 4 per GPU);
//   EPLB        DeepSeek's expert-parallel load balancer with redundant
//               experts (hierarchical when groups % nodes == 0, else global),
//               implemented from ../shared/reference/expert-placement.md.
//
//   slot:   0 1 2 | 3 4 5 | 6 7 8 | 9 10 11      R = 12 slots, 4 GPUs
//   GPU:      0   |   1   |   2   |    3         slot p on GPU p / (R / gpus)
//   node:         0       |        1             GPU g on node g / (gpus / nodes)
#pragma once

#include "sim/config/placement_spec.h"

#include <vector>

namespace moeplan::moe {

// The placement of one MoE layer.
struct Placement {
  int gpus = 0;
  std::vector<int> phy2log;               // [R] logical expert held by each physical slot
  std::vector<std::vector<int>> log2phy;  // [E][max replicas] slots of each expert's replicas
                                          // by replica rank, padded with -1
  std::vector<int> logcnt;                // [E] replicas of each logical expert
  std::vector<int> shared_gpus;           // GPUs holding a replica of the shared expert, ascending
                                          // (placement.shared_expert_gpus; empty: on every GPU, not dispatched)

  int slots() const { return static_cast<int>(phy2log.size()); }
  int experts() const { return static_cast<int>(logcnt.size()); }
  int slots_per_gpu() const { return slots() / gpus; }
  int gpu_of_slot(int slot) const { return slot / slots_per_gpu(); }
};

// EPLB inputs besides the load: R physical slots (a multiple of gpus, >= E),
// expert groups (dividing E), nodes, GPUs (a multiple of nodes).
struct EplbConfig {
  int replicas = 0;  // R, physical expert slots in total (R - E are redundant)
  int groups = 1;
  int nodes = 1;
  int gpus = 1;
};

// --- building blocks (exposed for tests) ---------------------------------

// Balanced packing of n items into `packs` packs of exactly n / packs items:
// items by decreasing weight (stable on ties), each into the lightest pack
// with room (first such pack on ties). Returns each item's pack and its rank
// (arrival order) inside the pack.
struct Packing {
  std::vector<int> pack;
  std::vector<int> rank_in_pack;
};
Packing balanced_packing(const std::vector<double>& weight, int packs);

// Replication of E experts into `slots` >= E slots: slot e < E holds expert e;
// each further slot goes to the expert with the largest weight / replicas
// (first index on ties). `rank` is the replica rank of each slot.
struct Replication {
  std::vector<int> phy2log;
  std::vector<int> rank;
  std::vector<int> logcnt;
};
Replication replicate_experts(const std::vector<double>& weight, int slots);

// --- policies --------------------------------------------------------------

// True when EPLB uses its hierarchical policy (groups % nodes == 0).
bool eplb_is_hierarchical(const EplbConfig& config);

// EPLB for every layer of `weight` ([layer][expert] load). log2phy is padded
// to the largest replica count over all layers, as DeepSeek's EPLB returns it.
// Throws std::invalid_argument naming the bad parameter and a fix.
std::vector<Placement> eplb_placement(const std::vector<std::vector<double>>& weight, const EplbConfig& config);

// Expert e on GPU e / (E / gpus), slot e; no replicas. Throws
// std::invalid_argument unless gpus divides experts.
Placement contiguous_placement(int experts, int gpus);

// --- load ------------------------------------------------------------------

// Load on each GPU when each expert's load `weight[e]` is split evenly over
// its replicas: sum over the GPU's slots of weight[e] / logcnt[e].
std::vector<double> gpu_loads(const Placement& placement, const std::vector<double>& weight);

// The `count` GPUs with the least load under `placement` (ascending index on
// ties), ascending: where dispatched shared-expert replicas go. Throws
// std::invalid_argument unless 0 < count <= placement.gpus.
std::vector<int> least_loaded_gpus(const Placement& placement, const std::vector<double>& weight, int count);

// Max over mean of per-GPU loads (1 for perfectly balanced or all-zero load).
double imbalance(const std::vector<double>& gpu_loads);

using config::PlacementPolicy;
using config::PlacementSpec;

// The placement of one MoE layer of an expert-parallel group of `ep` GPUs,
// `gpus_per_node` per node, for per-expert load `expert_load` (e.g. the
// routing distribution's expected load, see expert_probabilities()).
// `expert_groups` is the model's n_group. Throws std::invalid_argument when
// the sizes do not fit (the message names the field and a fix).
Placement place_layer(const PlacementSpec& spec, const std::vector<double>& expert_load, int expert_groups, int ep,
                      int gpus_per_node);

}  // namespace moeplan::moe
