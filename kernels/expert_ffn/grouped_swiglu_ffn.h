// Grouped SwiGLU expert FFN over variable-size expert segments, BF16 in/out,
// FP32 accumulation. CPU reference: expert_ffn_reference.h.
//
//   rows of expert e: x_grouped[offset_e .. offset_e + rows_e)   (from the dispatch layout)
//   h    = x_e . w13_e^T            [rows_e, 2I]  (w13_e rows 0..I-1 gate, I..2I-1 up)
//   act  = silu(h[:, :I]) * h[:, I:] [rows_e, I]
//   y_e  = act . w2_e^T              [rows_e, H]
// Weights are PyTorch Linear layout (out_features x in_features, row-major):
//   w13: [num_experts][2I][H], w2: [num_experts][H][I].
// h and act are bf16 (rounded once each), as in a framework's bf16 forward.
//
// The two projections run on cuBLAS (see docs/kernels-notes.md for why: it is
// already near the dense roofline at these shapes), either as one grouped
// batched call per projection or as one GEMM per non-empty expert, in order on
// the caller's stream or spread over side streams; docs/kernels-notes.md has
// the measurements behind kDefaultExpertGemmPath.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "numeric/bf16_bits.h"

struct cublasContext;

namespace moeplan::kernels {

enum class ExpertGemmPath {
  grouped_batched,  // cublasGemmGroupedBatchedEx, one call per projection
  per_expert_loop,  // cublasGemmEx per non-empty expert, in order on the stream
  per_expert_streams,  // per expert: gate/up, SwiGLU, down on one of num_streams side
                       // streams (round robin), so GEMMs of different experts overlap
  per_expert_pipelined,  // GEMMs in order on the caller's stream, each expert's SwiGLU
                         // on a side stream, overlapping the next expert's gate/up GEMM
};

// Fastest path measured on H100 at DeepSeek-V3 shapes (docs/kernels-notes.md).
inline constexpr ExpertGemmPath kDefaultExpertGemmPath = ExpertGemmPath::per_expert_streams;
inline constexpr int kDefaultExpertStreams = 2;

class GroupedSwigluFfn {
 public:
  GroupedSwigluFfn(int hidden, int intermediate, int max_experts,
                   int num_streams = kDefaultExpertStreams);
  ~GroupedSwigluFfn();
  GroupedSwigluFfn(const GroupedSwigluFfn&) = delete;
  GroupedSwigluFfn& operator=(const GroupedSwigluFfn&) = delete;

  // Device workspace for h and act of `total_rows` rows.
  std::size_t workspace_bytes(std::int64_t total_rows) const;

  // expert_rows: host copy of the per-expert row counts (rows are contiguous,
  // expert by expert, in x_grouped and y_grouped). Pointers are device pointers;
  // workspace holds workspace_bytes(sum of expert_rows).
  void run(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
           const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped, void* workspace,
           ExpertGemmPath path, cudaStream_t stream);

  int hidden() const { return hidden_; }
  int intermediate() const { return intermediate_; }

 private:
  void run_grouped(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
                   const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped, Bf16Bits* h,
                   Bf16Bits* act, cudaStream_t stream);
  void run_per_expert(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
                      const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped, Bf16Bits* h,
                      Bf16Bits* act, cudaStream_t stream);
  void run_per_expert_pipelined(const Bf16Bits* x_grouped,
                                std::span<const std::int32_t> expert_rows, const Bf16Bits* w13,
                                const Bf16Bits* w2, Bf16Bits* y_grouped, Bf16Bits* h,
                                Bf16Bits* act, cudaStream_t stream);
  void run_per_expert_streams(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
                              const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped,
                              Bf16Bits* h, Bf16Bits* act, cudaStream_t stream);
  // One expert: gate/up GEMM, SwiGLU, down GEMM, all on `stream` through `handle`.
  void run_one_expert(cublasContext* handle, const Bf16Bits* x, const Bf16Bits* w13_e,
                      const Bf16Bits* w2_e, Bf16Bits* y, Bf16Bits* h, Bf16Bits* act, int rows,
                      cudaStream_t stream);

  int hidden_;
  int intermediate_;
  int max_experts_;
  cublasContext* cublas_ = nullptr;
  void** device_pointer_table_ = nullptr;  // 6 arrays of max_experts_ pointers
  std::vector<const void*> host_pointer_table_;
  // Side streams of per_expert_streams, each with its own cuBLAS handle (and so
  // its own cuBLAS workspace), forked from and joined to the caller's stream.
  std::vector<cudaStream_t> side_streams_;
  std::vector<cublasContext*> side_handles_;
  std::vector<cudaEvent_t> join_events_;
  cudaEvent_t fork_event_ = nullptr;
  // per_expert_pipelined: gate/up done (main -> side) and act ready (side -> main), per expert.
  std::vector<cudaEvent_t> up_done_events_;
  std::vector<cudaEvent_t> act_ready_events_;
};

// act[r, j] = silu(h[r, j]) * h[r, I + j] for r < rows, j < I (bf16, fp32 math).
void launch_swiglu(const Bf16Bits* h, std::int64_t rows, int intermediate, Bf16Bits* act,
                   cudaStream_t stream);

}  // namespace moeplan::kernels
