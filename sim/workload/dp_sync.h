// The data-parallel synchronisation of one rank at the end of a training step
// (ZeRO-1 when the plan's zero_stage >= 1), after the rank's last compute op:
//   gradients   reduce-scatter (all-reduce without ZeRO): dense over "dp", experts over "edp"
//   optimizer   AdamW on the rank's optimizer shard, after both
//   parameters  all-gather of the updated BF16 weights: dense over "dp", experts over "edp" (ZeRO only)
// A group of one rank, or one with nothing to sync, gets no collective.
#pragma once

#include <set>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"
#include "sim/workload/collective_instances.h"

namespace moeplan::workload {

// `stages`: the pipeline stages whose weight gradients the rank computed.
void emit_dp_sync(int rank, const std::set<int>& stages, const config::Scenario& sc, const plan::ValidatedPlan& vp,
                  CollectiveInstances& collectives, program::Program& prog);

}  // namespace moeplan::workload
