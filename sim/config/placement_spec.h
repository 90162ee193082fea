// Which expert placement a scenario runs: the `placement:` section.
//
//   placement: {policy: eplb, redundant_experts: 32}   # or {policy: contiguous}
//
// policy             contiguous (expert e on GPU e / (E / ep), no replicas) or
//                    eplb (DeepSeek's load balancer, see placement.h)
// redundant_experts  extra physical slots for replicas (eplb only); R = E + this
//                    must be a multiple of the expert-parallel size
// shared_expert_gpus 0 (default): the shared expert runs on every GPU on its
//                    own tokens. N > 0 (serving): the shared expert is
//                    replicated on the N GPUs of the EP group with the least
//                    routed load, and every token is dispatched to one of them
//                    beside its routed experts and combined back (DeepSeek's
//                    December 2024 decode unit: 64 of 320 GPUs hold the
//                    redundant and shared experts)
#pragma once

#include "sim/config/yaml_reader.h"

namespace moeplan::config {

enum class PlacementPolicy { contiguous, eplb };

struct PlacementSpec {
  PlacementPolicy policy = PlacementPolicy::contiguous;
  int redundant_experts = 0;
  int shared_expert_gpus = 0;
  bool operator==(const PlacementSpec&) const = default;
};

const char* to_string(PlacementPolicy p);

// Reads a `placement:` mapping; problems go to r's diagnostics. Calls r.finish().
PlacementSpec read_placement(YamlReader& r);


}  // namespace moeplan::config
