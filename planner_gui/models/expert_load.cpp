#include "planner_gui/models/expert_load.h"

#include <optional>
#include <stdexcept>

#include "sim/moe/load_stats.h"
#include "sim/moe/routing.h"

namespace moeplan::gui {

ExpertLoad compute_expert_load(const config::Scenario& sc) {
  ExpertLoad out;
  const auto& m = sc.model;
  if (m.moe_layers() <= 0) throw std::invalid_argument("the model has no MoE layers");
  const int gpus_per_node = std::max(1, sc.topology.topology.gpus_per_node());
  const auto shape = moe::routing_shape(m, sc.plan.ep, std::min(gpus_per_node, sc.plan.ep), sc.tokens_per_microbatch());
  std::optional<moe::LoadStats> stats;
  if (sc.routing.distribution == moe::RoutingDistribution::measured) {
    Diagnostics diag;
    stats = moe::read_load_stats(sc.routing.load_file, diag);
    diag.throw_if_any();
  }
  const auto contiguous = moe::contiguous_placement(shape.experts, shape.ep);
  out.experts = shape.experts;
  out.ep = shape.ep;
  out.copies_per_layer = shape.tokens_per_gpu * shape.ep * shape.top_k;
  out.policy = config::to_string(sc.placement.policy);
  for (int layer = m.dense_layers; layer < m.layers; ++layer) {
    // As the program builder routes: uniform routing has one distribution for every layer.
    const int key = sc.routing.distribution == moe::RoutingDistribution::uniform ? 0 : layer;
    const auto p = moe::expert_probabilities(sc.routing, shape.experts, key, stats ? &*stats : nullptr);
    auto placement = moe::place_layer(sc.placement, p, shape.expert_groups, shape.ep, shape.gpus_per_node);
    const auto routing = moe::route_layer(sc.routing, shape, placement, key, stats ? &*stats : nullptr);
    std::vector<double> tokens(routing.expert_tokens.begin(), routing.expert_tokens.end());
    auto before = moe::gpu_loads(contiguous, tokens);
    std::vector<double> after(static_cast<std::size_t>(shape.ep), 0.0);
    for (int g = 0; g < shape.ep; ++g) after[static_cast<std::size_t>(g)] = static_cast<double>(routing.received(g));
    out.layers.push_back(layer);
    out.imbalance_before.push_back(moe::imbalance(before));
    out.imbalance_after.push_back(moe::imbalance(after));
    out.expert_tokens.push_back(std::move(tokens));
    out.gpu_before.push_back(std::move(before));
    out.gpu_after.push_back(std::move(after));
    out.slots_per_gpu_after = placement.slots_per_gpu();
    out.placement_after.push_back(std::move(placement));
  }
  return out;
}

}  // namespace moeplan::gui
