// Everything one rank does, top to bottom: pick its GPU, join the NCCL world
// (rank 0 publishes the unique id in the work directory), split the channel
// communicators, run warm-up and measured steps, time the dispatch all-to-all
// against ncclAlltoAll, and write its part of the trace (also when it fails).
#pragma once

#include <string>

#include "runtime/launch/run_options.h"
#include "runtime/launch/runtime_switches.h"
#include "sim/program/program.h"

namespace moeplan::runtime {

// Returns the process exit code. `local_rank` picks the CUDA device.
int run_rank(const program::Program& p, const RunOptions& options, const RuntimeSwitches& switches, int rank,
             int local_rank);

// `--check`: the MoE layer check (runtime/check/moe_layer_check.h) on this
// rank; prints its result line; exit code 0 when it passes.
int run_check_rank(const program::Program& p, const RunOptions& options, const RuntimeSwitches& switches, int rank,
                   int local_rank);

// Path of rank `rank`'s partial trace in the work directory.
std::string partial_trace_path(const RunOptions& options, int rank);

}  // namespace moeplan::runtime
