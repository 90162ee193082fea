// What a placement buys, per MoE layer: the per-GPU load it gives, its
// imbalance (max / mean GPU load) beside the contiguous placement's, and the
// most replicas any expert got. `moeplan placement` prints it; the GUI's
// experts page draws it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/moe/placement.h"

namespace moeplan::moe {

struct LayerPlacementRow {
  std::vector<double> gpu_loads;  // tokens per GPU; an expert's load split evenly over its replicas
  double max_load = 0, mean_load = 0;
  double eplb_imbalance = 0;                    // max / mean under `placements`
  std::optional<double> contiguous_imbalance;   // the same without replicas; none when experts do not split evenly
  int max_replicas = 0;
};

struct PlacementTable {
  std::vector<LayerPlacementRow> layers;
  double eplb_mean = 0, eplb_worst = 0;
  std::optional<double> contiguous_mean, contiguous_worst;
};

// `tokens[layer][expert]` against one placement per layer over `gpus` GPUs.
PlacementTable placement_table(const std::vector<std::vector<double>>& tokens, const std::vector<Placement>& placements,
                               int gpus);

// {"phy2log", "log2phy", "logcnt"} with one entry per layer (EPLB's order), written through a temporary file.
void write_placement_json(const std::vector<Placement>& placements, const std::string& path);

}  // namespace moeplan::moe
