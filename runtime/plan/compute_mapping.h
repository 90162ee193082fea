// How the runtime realises a compute op of the program as real GPU work. One
// place decides it, so the memory estimate and the executor agree.
//
//   routed_experts with gemms in (rows,2I,H),(rows,H,I) pairs -> the kernels'
//       grouped SwiGLU FFN (kernels/expert_ffn), one expert per pair
//   gating (F)            -> its router GEMM, then the gating top-k kernel
//   any op with gemms     -> each gemm as a cuBLAS BF16 GEMM (FP8 ops run BF16 too)
//   flops but no gemms    -> one FLOP-equivalent GEMM [tokens x tokens x k]
//                            (attention_core: softmax(QK^T)V has no gemm list)
//   neither               -> device-to-device copy of bytes/2 (bytes count read+write)
#pragma once

#include <cstdint>
#include <vector>

#include "sim/program/program.h"
#include "sim/program/program_index.h"

namespace moeplan::runtime {

enum class ComputeKind { ExpertFfn, GatingTopk, Gemms, FlopGemm, DeviceCopy };

struct ExpertFfnShape {
  int hidden = 0, intermediate = 0;
  std::vector<std::int32_t> expert_rows;
  std::int64_t total_rows() const;
};

ComputeKind compute_kind(const program::Op& op);
// Valid when compute_kind(op) == ExpertFfn.
ExpertFfnShape expert_ffn_shape(const program::Op& op);
// The GEMMs the op runs (Gemms, GatingTopk: its list; FlopGemm: the equivalent one).
std::vector<program::Gemm> gemms_of(const program::Op& op);
// DeviceCopy: bytes copied (half the op's read+write bytes, at least 256).
std::int64_t copy_bytes_of(const program::Op& op);

// Device memory one rank allocates to run the program (scratch operands shared
// by ops, expert weights and workspace, communication buffers), in bytes.
struct RankBuffers {
  std::int64_t gemm_a_elems = 0, gemm_b_elems = 0, gemm_c_elems = 0;  // bf16
  std::int64_t copy_bytes = 0;
  int ffn_hidden = 0, ffn_intermediate = 0, ffn_max_experts = 0;
  std::int64_t ffn_max_rows = 0;
  int gating_max_experts = 0;
  std::int64_t gating_max_tokens = 0;
  std::int64_t comm_send_bytes = 0, comm_recv_bytes = 0;
  double total_bytes() const;
};

// Receive buffers hold what an op receives (send/recv/collective) from the
// program's other members (all-to-all: what each peer sends to this rank).
RankBuffers plan_rank_buffers(const program::Program& p, const program::ProgramIndex& index, int rank);
std::int64_t send_total_bytes(const program::Op& op);
// An all-to-all's bytes from each member of its group, in member order: the
// members' send_bytes toward this rank, read through the index (O(members)).
std::vector<std::int64_t> all_to_all_recv_bytes(const program::Program& p, const program::ProgramIndex& index,
                                                const program::Op& op);

}  // namespace moeplan::runtime
