// The order in which each rank hands its ops to CUDA and NCCL.
//
// A rank's host enqueues ahead of its GPU, but not without bound: NCCL's work
// queue and CUDA's launch queue are finite, and a host blocked inside a full
// queue cannot enqueue the send its peer is waiting for. So the executor keeps
// at most a window of unfinished ops in flight, and enqueues them in one global
// order that every rank derives identically: a topological order of
//   nodes  = transfers (a send with its receive) and collective instances (all
//            member ops), plus every compute op on its own;
//   edges  = the program's dependencies, and each CUDA stream's FIFO order
//            (program stream per rank; one receive stream per p2p channel).
// With such an order and any window >= 1, the earliest unfinished node has all
// its predecessors finished, heads every stream it is on, and is enqueued on
// all its ranks, so it can always run: a step cannot deadlock in the queues.
// A cycle means the program itself would deadlock on NCCL; it is reported.
#pragma once

#include <vector>

#include "runtime/plan/comm_channels.h"
#include "sim/program/program.h"

namespace moeplan::runtime {

struct EnqueueOrder {
  std::vector<std::vector<program::OpId>> by_rank;  // each rank's ops, in enqueue order
};

// Throws std::runtime_error naming two ops of the cycle if the program's
// dependencies and stream orders cannot be satisfied together.
EnqueueOrder plan_enqueue_order(const program::Program& p, const CommPlan& plan);

}  // namespace moeplan::runtime
