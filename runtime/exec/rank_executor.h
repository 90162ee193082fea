// One rank's execution of the program on its GPU: ops in program order, each
// on the CUDA stream of its program stream (receives on a stream per channel,
// posted first: they are eager), same-rank dependencies as CUDA events
// (cross-rank ones are satisfied by the communication itself), start and end
// of every op recorded with CUDA events relative to a step-start event taken
// right after a world barrier.
#pragma once

#include <cublas_api.h>
#include <cuda_runtime_api.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/exec/nccl_channels.h"
#include "runtime/plan/comm_channels.h"
#include "runtime/plan/compute_mapping.h"
#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::kernels {
class GroupedSwigluFfn;
}

namespace moeplan::runtime {

struct OpTimes {
  double start_s = 0, end_s = 0;
  bool done = false;
};

class RankExecutor {
 public:
  RankExecutor(const program::Program& p, const CommPlan& plan, NcclChannels& nccl, int rank, std::uint64_t seed);
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
  struct AllToAllBench {
    program::OpId op = -1;
    double ours_s = 0, nccl_s = 0, bytes = 0;
  };
  AllToAllBench bench_all_to_all(program::OpId op, int repeats);

 private:
  cudaStream_t stream_of(const program::Op& op);
  void enqueue(const program::Op& op, cudaStream_t s);
  void run_compute(const program::Op& op, cudaStream_t s);
  void run_comm(const program::Op& op, cudaStream_t s);
  void gemm(const program::Gemm& g, cudaStream_t s);
  void barrier();

  const program::Program& p_;
  const CommPlan& plan_;
  NcclChannels& nccl_;
  int rank_;
  RankBuffers sizes_;
  std::vector<program::OpId> ops_;               // this rank's program order
  std::vector<int> position_;                    // op id -> index in ops_, -1 elsewhere
  cudaStream_t streams_[program::kStreamCount] = {};
  std::vector<cudaStream_t> recv_streams_;       // by channel (null where not a receiver)
  cublasHandle_t cublas_[program::kStreamCount] = {};
  std::unique_ptr<kernels::GroupedSwigluFfn> ffn_[program::kStreamCount];
  std::vector<cudaEvent_t> start_events_, end_events_;
  cudaEvent_t step_start_ = nullptr;
  void *a_ = nullptr, *b_ = nullptr, *c_ = nullptr, *copy_src_ = nullptr, *copy_dst_ = nullptr;
  void *w13_ = nullptr, *w2_ = nullptr, *x_grouped_ = nullptr, *y_grouped_ = nullptr, *ffn_workspace_ = nullptr;
  void *logits_ = nullptr, *expert_bias_ = nullptr, *topk_expert_ = nullptr, *topk_weight_ = nullptr;
  void *send_ = nullptr, *recv_ = nullptr, *barrier_buf_ = nullptr;
  std::vector<OpTimes> last_;
};

// Median over steps of each op's start and end, as trace records of `rank`.
trace::Trace median_trace(const program::Program& p, const std::vector<program::OpId>& ops,
                          const std::vector<std::vector<OpTimes>>& steps, int rank);

}  // namespace moeplan::runtime
