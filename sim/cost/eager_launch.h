// Host launch time of an eager executor. moeplan-run enqueues every kernel
// from the host, one op at a time, without CUDA graphs: where an op's kernels
// are shorter than the host takes to launch them, the GPU waits on the host
// and the op lasts its host time. `moeplan calibrate` fits
//
//   host time of an op = per_op_s + per_library_call_s x library_calls(op)
//                                 + per_kernel_s x kernel_launches(op)
//
// to the host enqueue times a runtime trace records (trace::Record::host_s),
// by least squares over its compute ops with every term at least 0. With a
// calibration that holds the fit, both executors run a host timeline beside
// each rank's streams: the host enqueues the rank's ops one after another in
// program order (a communication op costs per_op_s), never waiting for the
// GPU, and no op ends before the host has enqueued it. So the host time of
// one op overlaps the GPU time of the ops before it, and a step of short
// kernels lasts its host time. A library call (cuBLASLt, cuDNN) costs the host more than a
// kernel launch of our own: it looks up and sets up its plan first. Executors
// with CUDA graphs (serving systems) hide this time: leave it out for them.
#pragma once

#include <optional>
#include <vector>

#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::cost {

struct EagerLaunch {
  double per_op_s = 0;            // events and stream waits around the op
  double per_library_call_s = 0;  // each cuBLASLt GEMM or cuDNN attention call
  double per_kernel_s = 0;        // each kernel of our own
  int ops = 0;                    // compute ops the fit used
  double seconds(const program::Op& op) const;
};

// What the runtime launches for a compute op (runtime/exec/compute_kernels.h):
// a library call per GEMM and per fused attention core (the latent core: its
// two GEMMs), a kernel per memory-bound kernel (and the latent core's softmax).
int library_calls(const program::Op& op);
int kernel_launches(const program::Op& op);

// For every op among [first, last): when its rank's host has enqueued it,
// counted from the run's start (the sum of the host times of that rank's ops
// of the run up to it, in id order). Indexed by op id - first.
std::vector<double> host_enqueue_ends(const program::Program& p, const EagerLaunch& l, program::OpId first,
                                      program::OpId last);

// The least-squares fit over the trace's compute ops that record host_s, every
// term non-negative (the best fit among those that drop negative terms); none
// when no op records one.
std::optional<EagerLaunch> fit_eager_launch(const program::Program& p, const trace::Trace& measured);

}  // namespace moeplan::cost
