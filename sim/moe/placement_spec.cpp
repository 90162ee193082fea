#include "sim/moe/placement_spec.h"

#include <fmt/format.h>
#include <stdexcept>

namespace moeplan::moe {

const char* to_string(PlacementPolicy p) { return p == PlacementPolicy::eplb ? "eplb" : "contiguous"; }

PlacementSpec read_placement(config::YamlReader& r) {
  PlacementSpec s;
  if (auto p = r.text("policy", false, {"contiguous", "eplb"}))
    s.policy = *p == "eplb" ? PlacementPolicy::eplb : PlacementPolicy::contiguous;
  if (auto v = r.integer("redundant_experts", false, 0, 1 << 20)) s.redundant_experts = static_cast<int>(*v);
  if (s.policy == PlacementPolicy::contiguous && s.redundant_experts > 0)
    r.error("redundant_experts", "contiguous placement has no redundant experts; set policy: eplb or remove this key");
  r.finish();
  return s;
}

Placement place_layer(const PlacementSpec& spec, const std::vector<double>& expert_load, int expert_groups, int ep,
                      int gpus_per_node) {
  const int experts = static_cast<int>(expert_load.size());
  if (spec.policy == PlacementPolicy::contiguous) return contiguous_placement(experts, ep);
  if (gpus_per_node < 1 || ep % gpus_per_node != 0)
    throw std::invalid_argument(fmt::format("placement: expert-parallel size {} is not a whole number of nodes of {} "
                                            "GPUs; choose ep as a multiple of the GPUs per node",
                                            ep, gpus_per_node));
  const int replicas = experts + spec.redundant_experts;
  if (replicas % ep != 0)
    throw std::invalid_argument(fmt::format(
        "placement.redundant_experts: {} experts + {} redundant = {} slots do not split evenly over {} GPUs; use "
        "redundant_experts = {} (or another value making the total a multiple of {})",
        experts, spec.redundant_experts, replicas, ep, (replicas + ep - 1) / ep * ep - experts, ep));
  EplbConfig config{replicas, expert_groups, ep / gpus_per_node, ep};
  return eplb_placement({expert_load}, config).front();
}

}  // namespace moeplan::moe
