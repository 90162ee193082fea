#include "sim/config/placement_spec.h"

#include <fmt/format.h>

namespace moeplan::config {

const char* to_string(PlacementPolicy p) { return p == PlacementPolicy::eplb ? "eplb" : "contiguous"; }

PlacementSpec read_placement(YamlReader& r) {
  PlacementSpec s;
  if (auto p = r.text("policy", false, {"contiguous", "eplb"}))
    s.policy = *p == "eplb" ? PlacementPolicy::eplb : PlacementPolicy::contiguous;
  if (auto v = r.integer("redundant_experts", false, 0, 1 << 20)) s.redundant_experts = static_cast<int>(*v);
  if (auto v = r.integer("shared_expert_gpus", false, 0, 1 << 20)) s.shared_expert_gpus = static_cast<int>(*v);
  if (s.policy == PlacementPolicy::contiguous && s.redundant_experts > 0)
    r.error("redundant_experts", "contiguous placement has no redundant experts; set policy: eplb or remove this key");
  r.finish();
  return s;
}

}  // namespace moeplan::config
