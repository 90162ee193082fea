// Where every rank sits: its pipeline rank, its data-parallel index, its
// expert-parallel group, and which transformer layers each stage holds.
//
// Ranks are numbered pipeline-rank-major: rank = pipe_rank * dp + d, so the dp
// ranks of one pipeline rank fill consecutive GPUs (whole nodes), an EP group
// is `ep` consecutive data-parallel ranks of one pipeline rank, and the
// neighbouring pipeline ranks of rank (s, d) share its rail (same d mod 8).
#pragma once

#include <vector>

#include "sim/config/scenario.h"
#include "sim/schedule/schedule.h"

namespace moeplan::plan {

struct Layout {
  int pp = 1, dp = 1, ep = 1;

  int world() const { return pp * dp; }
  int rank(int pipe_rank, int d) const { return pipe_rank * dp + d; }
  int pipe_rank_of(int rank) const { return rank / dp; }
  int dp_of(int rank) const { return rank % dp; }
  std::vector<int> ep_group(int rank) const;   // the rank's EP group, in order
  std::vector<int> dp_group(int rank) const;   // all dp ranks of its pipeline rank
  std::vector<int> edp_group(int rank) const;  // ranks holding the same experts
};

// Transformer layers of each stage (model order); the MTP module, the head and
// the loss sit on the last stage, the embedding on the first.
struct StageLayers {
  std::vector<std::vector<int>> layers;  // layers[stage] = model layer indices
  int stages() const { return static_cast<int>(layers.size()); }
};

// Splits layers over `stages` following `layers_per_stage` when given, evenly
// otherwise. Caller validates first (validate_plan reports bad splits).
StageLayers assign_layers(const config::ModelConfig& m, int stages, const std::vector<int>& layers_per_stage);

}  // namespace moeplan::plan
