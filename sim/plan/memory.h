// Per-GPU memory of a plan: weights, gradients, optimizer state (ZeRO-1
// shards it over the data-parallel group) and activations in flight (peak
// count of forwarded-but-not-yet-backwarded micro-batches, read from the
// schedule's op order).
#pragma once

#include "sim/config/scenario.h"
#include "sim/plan/layout.h"
#include "sim/schedule/schedule.h"

namespace moeplan::plan {

struct MemoryBreakdown {
  int pipe_rank = 0;
  double params = 0;        // parameter count held (both copies for DualPipe)
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  int activations_in_flight = 0;  // peak micro-batches held
  double total_bytes() const { return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes; }
};

MemoryBreakdown rank_memory(const config::Scenario& sc, const schedule::Schedule& sched,
                            const StageLayers& layers, int pipe_rank);
// The pipeline rank with the largest total.
MemoryBreakdown peak_memory(const config::Scenario& sc, const schedule::Schedule& sched,
                            const StageLayers& layers);

}  // namespace moeplan::plan
