#include "runtime/plan/moe_check_config.h"

#include <fmt/format.h>

#include <stdexcept>

#include "runtime/plan/compute_mapping.h"

namespace moeplan::runtime {

std::string MoeCheckConfig::describe() const {
  return fmt::format("{} tokens/rank, hidden {}, expert FFN {}, {} experts over {} ranks, top-{} ({} of {} groups)",
                     tokens, hidden, intermediate, experts, ranks, topk, topk_groups, groups);
}

MoeCheckConfig moe_check_config(const program::Program& p) {
  MoeCheckConfig c;
  c.ranks = p.world_size;
  for (const auto& op : p.ops) {
    if (op.type != program::OpType::Compute || op.pass != program::Pass::F) continue;
    if (op.part == program::Part::Gating && !op.gemms.empty() && c.experts == 0) {
      c.experts = static_cast<int>(op.gemms[0].n);
      c.tokens = static_cast<int>(op.gemms[0].m);
    }
    if (op.part == program::Part::RoutedExperts && is_swiglu_experts(op) && c.hidden == 0) {
      const auto shape = expert_ffn_shape(op);
      c.hidden = shape.hidden;
      c.intermediate = shape.intermediate;
    }
  }
  if (c.experts == 0 || c.hidden == 0)
    throw std::runtime_error(fmt::format("{}: the program has no MoE layer (gating and routed-expert ops) to check",
                                         p.scenario));
  if (c.ranks < 1 || c.experts % c.ranks != 0)
    throw std::runtime_error(fmt::format("--check spreads the {} experts over all {} ranks; they must split evenly",
                                         c.experts, c.ranks));
  const bool large = c.experts >= 64;  // DeepSeek-V3: 256 experts, 8 groups, top-4 groups, top-8
  c.groups = large ? 8 : 4;
  c.topk_groups = c.groups / 2;
  c.topk = large ? 8 : 4;
  return c;
}

}  // namespace moeplan::runtime
