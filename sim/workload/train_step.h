// Builds the program of one training step: every held rank's layer ops for
// each F / B / Bi / W of its pipeline schedule, the PP sends and receives
// between neighbouring stages, the expert-parallel all-to-alls of every MoE
// layer, and the ZeRO-1 data-parallel gradient reduce-scatter, optimizer step
// and parameter all-gather at the end of the step.
#pragma once

#include <stop_token>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"

namespace moeplan::workload {

struct TrainStepOptions {
  // Reduced: hold the ranks of one pipeline (data-parallel index 0); every
  // other pipeline is identical under uniform routing, and collectives whose
  // members are not held are timed in isolation by the executor.
  bool reduced = false;
  std::stop_token stop = {};  // checked once per rank: throws moeplan::Cancelled
  // Full fidelity, but hold only the ranks of this data-parallel index (one
  // pipeline): a partial program, for writing rank files a pipeline at a
  // time. -1: every pipeline. Not with `reduced`.
  int pipeline = -1;
};

program::Program build_train_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const TrainStepOptions& opt);

}  // namespace moeplan::workload
