// One rank's execution of the program on its GPU: ops in the global enqueue
// order (runtime/plan/enqueue_order.h) with a bounded number in flight, each
// on the CUDA stream of its program stream (receives on a stream per p2p
// channel, so they never hold up the sender's side), same-rank dependencies as CUDA events
// (cross-rank ones are satisfied by the communication itself), start and end
// of every op recorded with CUDA events relative to a step-start event taken
// right after a world barrier.
#pragma once

#include <cuda_runtime_api.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "numeric/bf16_bits.h"
#include "runtime/exec/compute_kernels.h"
#include "runtime/exec/host_watchdog.h"
#include "runtime/exec/nccl_channels.h"
#include "runtime/launch/runtime_switches.h"
#include "runtime/plan/comm_channels.h"
#include "runtime/plan/compute_mapping.h"
#include "runtime/plan/enqueue_order.h"
#include "sim/program/program.h"
#include "sim/trace/trace.h"
#include "util/device_buffer.h"

namespace moeplan::runtime {

struct OpTimes {
  double start_s = 0, end_s = 0;
  double host_s = 0;  // host time enqueueing the op (its launches, events and stream waits)
  bool done = false;
};

class RankExecutor {
 public:
  // `watchdog` (may be null) is told around every enqueue call.
  RankExecutor(const program::Program& p, const CommPlan& plan, NcclChannels& nccl, int rank, std::uint64_t seed,
               const RuntimeSwitches& switches, HostWatchdog* watchdog = nullptr);

  // Unfinished ops the host may have handed to the GPU at once. Enough to
  // keep both DualPipe chunks and their communication queued; small enough
  // that the host waits in its own polled loop, not inside a full CUDA/NCCL queue.
  static constexpr std::size_t kMaxOpsInFlight = 128;
  ~RankExecutor();
  RankExecutor(const RankExecutor&) = delete;
  RankExecutor& operator=(const RankExecutor&) = delete;

  // Enqueues one step, waits for it under the communicators' deadline and
  // returns each op's times (by position in the rank's program order). On a
  // hang or error the communicators are aborted and it throws; `last_step()`
  // then holds the ops that did finish.
  std::vector<OpTimes> run_step();
  const std::vector<OpTimes>& last_step() const { return last_; }
  const std::vector<program::OpId>& ops() const { return ops_; }

  // Time (s) of `repeats` runs of the all-to-all `op` as this runtime issues it
  // (grouped send/recv, the op's uneven bytes), and of ncclAlltoAll moving the
  // same total bytes in equal parts; both on the op's channel, back to back.
  // other_s: the same grouped send/recv with this rank's own part moved the
  // other way (NCCL send-to-self versus a device copy), to pick the default.
  struct AllToAllBench {
    program::OpId op = -1;
    double ours_s = 0, nccl_s = 0, other_s = 0, bytes = 0;
  };
  AllToAllBench bench_all_to_all(program::OpId op, int repeats);

 private:
  cudaStream_t stream_of(const program::Op& op);
  void enqueue(const program::Op& op, cudaStream_t s);
  void run_compute(const program::Op& op, cudaStream_t s);
  void run_comm(const program::Op& op, cudaStream_t s);
  void barrier();
  // Records the ops of order_[first_open_, upto) that finished; advances
  // first_open_; without progress, checks NCCL and the deadline, then sleeps.
  void collect_finished(std::size_t upto);

  const program::Program& p_;
  const CommPlan& plan_;
  NcclChannels& nccl_;
  int rank_;
  RankBuffers sizes_;
  std::vector<program::OpId> ops_;               // this rank's program order
  std::vector<int> position_;                    // op id -> index in ops_, -1 elsewhere
  std::vector<program::OpId> order_;             // this rank's enqueue order
  HostWatchdog* watchdog_ = nullptr;
  std::size_t first_open_ = 0;                   // index in order_ of the earliest unfinished op
  std::chrono::steady_clock::time_point last_progress_;
  cudaStream_t streams_[program::kStreamCount] = {};
  std::vector<cudaStream_t> recv_streams_;       // by channel (null where not a receiver)
  std::vector<cudaEvent_t> start_events_, end_events_;
  cudaEvent_t step_start_ = nullptr;
  // Operand buffers, shared by the ops of all streams (sizes: sizes_). Empty
  // where the program has no op that needs them.
  std::unique_ptr<ComputeKernels> compute_;                              // GEMMs, kernels, attention; a lane per stream
  kernels::DeviceBuffer<std::byte> copy_src_, copy_dst_;                 // device-copy ops
  kernels::DeviceBuffer<float> logits_, expert_bias_, topk_weight_;       // gating
  kernels::DeviceBuffer<std::int32_t> topk_expert_;
  kernels::DeviceBuffer<std::byte> send_, recv_;                          // communication payloads
  kernels::DeviceBuffer<float> barrier_buf_;                              // the step barrier's all-reduce
  std::vector<OpTimes> last_;
  // All-to-all: this rank's own part by cudaMemcpyAsync instead of an NCCL
  // send to itself (RuntimeSwitches::all_to_all_self).
  bool self_copy_ = false;
};

// Median over steps of each op's start and end, as trace records of `rank`.
trace::Trace median_trace(const program::Program& p, const std::vector<program::OpId>& ops,
                          const std::vector<std::vector<OpTimes>>& steps, int rank);

}  // namespace moeplan::runtime
