// Expert load per MoE layer, from the core's routing model and placement
// (sim/moe): each layer's routed token copies per expert (the heat map),
// and the load per GPU of the expert-parallel group under the contiguous
// placement and under the scenario's placement (EPLB with redundant
// experts when chosen), with the imbalance (max / mean) of each. The same
// calls the program builder makes (workload/moe_traffic.cpp), one group.
#pragma once

#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/moe/placement.h"

namespace moeplan::gui {

struct ExpertLoad {
  std::vector<int> layers;                           // MoE layers, model order
  int experts = 0, ep = 0, slots_per_gpu_after = 0;
  std::vector<std::vector<double>> expert_tokens;    // [layer][expert] token copies per micro-batch
  std::vector<std::vector<double>> gpu_before;       // [layer][gpu] contiguous placement
  std::vector<std::vector<double>> gpu_after;        // [layer][gpu] the scenario's placement
  std::vector<double> imbalance_before, imbalance_after;
  std::vector<moe::Placement> placement_after;       // [layer]
  long long copies_per_layer = 0;  // tokens per GPU x ep x top_k: what each row sums to
  std::string policy;              // contiguous | eplb
};

// Throws std::invalid_argument (the core's message) when the plan and the
// routing do not fit together; `sc` must be a validated training scenario.
ExpertLoad compute_expert_load(const config::Scenario& sc);

}  // namespace moeplan::gui
