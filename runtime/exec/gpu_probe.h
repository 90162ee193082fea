// The local GPUs as CUDA sees them (count, name, memory). Call it in a child
// process (run_in_child) when the caller will fork ranks afterwards.
#pragma once

#include "runtime/plan/preflight.h"

namespace moeplan::runtime {

LocalMachine probe_local_gpus();

}  // namespace moeplan::runtime
