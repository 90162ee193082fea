// Which expert placement a scenario runs: the `placement:` section.
//
//   placement: {policy: eplb, redundant_experts: 32}   # or {policy: contiguous}
//
// policy             contiguous (expert e on GPU e / (E / ep), no replicas) or
//                    eplb (DeepSeek's load balancer, see placement.h)
// redundant_experts  extra physical slots for replicas (eplb only); R = E + this
//                    must be a multiple of the expert-parallel size
#pragma once

#include <vector>

#include "sim/config/yaml_reader.h"
#include "sim/moe/placement.h"

namespace moeplan::moe {

enum class PlacementPolicy { contiguous, eplb };

struct PlacementSpec {
  PlacementPolicy policy = PlacementPolicy::contiguous;
  int redundant_experts = 0;
  bool operator==(const PlacementSpec&) const = default;
};

const char* to_string(PlacementPolicy p);

// Reads a `placement:` mapping; problems go to r's diagnostics. Calls r.finish().
PlacementSpec read_placement(config::YamlReader& r);

// The placement of one MoE layer of an expert-parallel group of `ep` GPUs,
// `gpus_per_node` per node, for per-expert load `expert_load` (e.g. the
// routing distribution's expected load, see expert_probabilities()).
// `expert_groups` is the model's n_group. Throws std::invalid_argument when
// the sizes do not fit (the message names the field and a fix).
Placement place_layer(const PlacementSpec& spec, const std::vector<double>& expert_load, int expert_groups, int ep,
                      int gpus_per_node);

}  // namespace moeplan::moe
