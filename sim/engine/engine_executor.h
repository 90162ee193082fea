// The SimGrid engine as the pipeline's executor (sim/pipeline/executor.h).
// One SimGrid engine per process: a process runs at most one execution; run
// more through child processes (sim/runner/simulation_job.h).
#pragma once

#include "sim/pipeline/executor.h"

namespace moeplan::engine {

pipeline::Executor simgrid_executor();

}  // namespace moeplan::engine
