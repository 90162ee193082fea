// Cross-field checks of a parsed scenario: the parallel plan against the model,
// the topology, the workload, the schedule's constraints and GPU memory.
#pragma once

#include <optional>

#include "sim/config/scenario.h"
#include "sim/plan/layout.h"
#include "sim/plan/memory.h"
#include "sim/plan/serving_memory.h"
#include "sim/schedule/schedule.h"

namespace moeplan::plan {

struct ValidatedPlan {
  Layout layout;
  schedule::Schedule schedule;
  StageLayers layers;
  MemoryBreakdown peak_memory;
  ServingMemory serving_memory;  // serving scenarios: the nominal step's memory
};

// The most micro-batches a pipeline may run per step: 65,536 (DeepSeek-V3's
// plan runs 120); checked before the schedule is generated.
inline constexpr long long kMaxMicrobatches = 1LL << 16;

// Adds every problem to `diag`; returns the derived plan when there is none.
std::optional<ValidatedPlan> validate_plan(const config::Scenario& sc, Diagnostics& diag);

// The checks every workload shares: tensor parallelism (serving only: tp
// divides the GPUs per node and the heads), the topology's GPU count,
// expert-parallel sizes (with redundant expert slots), comm SMs.
void check_layout(const config::Scenario& sc, Diagnostics& diag);

// A serving scenario's plan (validate_serving.cpp): pp 1, the step's batch,
// the request stream's prefill scenario, and the memory of the step.
std::optional<ValidatedPlan> validate_serving_plan(const config::Scenario& sc, Diagnostics& diag);

}  // namespace moeplan::plan
