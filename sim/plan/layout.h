// Where every rank sits: its pipeline rank, its pipeline (position within its
// stage), its expert-parallel and tensor-parallel groups, and which
// transformer layers each stage holds.
//
// Ranks are numbered pipeline-rank-major: rank = pipe_rank * dp * tp + i, so
// the dp x tp ranks of one pipeline rank fill consecutive GPUs (whole nodes),
// an EP group is `ep` consecutive ranks of one pipeline rank, and the
// neighbouring pipeline ranks of rank (s, i) share its rail (same i mod 8).
// With tp > 1 (serving only: attention tensor-parallel with sequence
// parallelism) a TP group is `tp` consecutive ranks, i = d * tp + t:
//
//   dp 2, tp 4, ep 8:   rank  0  1  2  3 | 4  5  6  7
//                       TP    group d=0  | group d=1
//                       EP    one group of all 8
//
// Every rank is a pipeline of its own: it owns its share of the tokens outside
// attention (training has tp 1, where a pipeline is a data-parallel index).
#pragma once

#include <vector>

#include "sim/config/scenario.h"
#include "sim/schedule/schedule.h"

namespace moeplan::plan {

struct Layout {
  int pp = 1, dp = 1, ep = 1, tp = 1;

  int pipelines() const { return dp * tp; }  // ranks per pipeline rank
  int world() const { return pp * pipelines(); }
  int rank(int pipe_rank, int pipeline) const { return pipe_rank * pipelines() + pipeline; }
  int pipe_rank_of(int rank) const { return rank / pipelines(); }
  int pipeline_of(int rank) const { return rank % pipelines(); }
  std::vector<int> ep_group(int rank) const;   // the rank's EP group, in order
  std::vector<int> dp_group(int rank) const;   // the dp ranks of its pipeline rank with its TP index
  std::vector<int> edp_group(int rank) const;  // ranks holding the same experts
  std::vector<int> tp_group(int rank) const;   // the tp consecutive ranks it shares attention with
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
