// What the pipeline asks of an executor: run this program on this topology
// with these op costs and give back the trace. The SimGrid engine is one
// (sim/engine/engine_executor.h); the core does not depend on it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "sim/cost/cost_model.h"
#include "sim/program/program.h"
#include "sim/topology/topology.h"
#include "sim/trace/trace.h"

namespace moeplan::pipeline {

struct Execution {
  trace::Trace trace;
  double makespan_s = 0;
  nlohmann::json stats;  // the executor's own statistics (the report's `engine`)
  // Per link that carried traffic, from executors that model links (the
  // report's `link_usage`): [{link, kind, Bps, forward_bytes,
  // backward_bytes, busy}], busy = the busier direction's bytes / (Bps x
  // makespan). Null from executors that do not.
  nlohmann::json link_usage;
};

struct ExecuteOptions {
  std::function<void(double fraction_done)> progress;
};

using Executor = std::function<Execution(const program::Program&, const topology::Topology&, const cost::CostModel&,
                                         const ExecuteOptions&)>;

}  // namespace moeplan::pipeline
