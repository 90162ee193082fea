// Parameters one rank holds for one pipeline stage: the dense (replicated over
// data parallelism) and the routed-expert share (1/ep of each MoE layer's
// experts). The first stage also holds the embedding; the last the output
// head and the multi-token-prediction modules.
#pragma once

#include "sim/config/model.h"
#include "sim/plan/layout.h"

namespace moeplan::plan {

struct StageParams {
  double dense = 0;    // elements
  double experts = 0;  // elements
};

// `stage` may exceed layers.stages() (DualPipeV's second half): it is taken
// modulo the model's stages.
StageParams stage_params(const config::ModelConfig& m, const StageLayers& layers, int stage, int ep);

}  // namespace moeplan::plan
