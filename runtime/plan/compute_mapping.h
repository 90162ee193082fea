// How the runtime realises a compute op of the program as real GPU work. One
// place decides it, so the memory estimate and the executor agree.
//
//   gating (F)              -> its router GEMM, then the gating top-k kernel
//   an op with lists        -> exactly what the program lists, in list order
//     (Listed)                 (runtime/exec/compute_kernels.h): every GEMM through
//                              cuBLASLt, FP8 block-scaled when the op's dtype is FP8
//                              (F and Bi: activation x weight scales; W: activation x
//                              activation), BF16 otherwise; every memory-bound kernel
//                              (program::Kernel) as its own launch; the attention core
//                              on cuDNN's fused attention, forward (F) or backward (Bi),
//                              serving's over a cached prefix too (forward, causal mask
//                              aligned bottom-right); absorbed MLA over the latent KV cache
//                              (decode) on kernels/attention/latent_attention.h
//   flops but no lists      -> one FLOP-equivalent BF16 GEMM [tokens x tokens x k]
//   neither                 -> device-to-device copy of bytes/2 (bytes count read+write)
// Launch shapes are padded where cuBLASLt requires it (gemm_launch_shape):
// the simulator costs the listed shape, the runtime runs at most 7 rows, 7 columns
// and 15 K elements more.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/program/program.h"
#include "sim/program/kernel.h"
#include "sim/program/program_index.h"

namespace moeplan::runtime {

enum class ComputeKind { GatingTopk, Listed, FlopGemm, DeviceCopy };

struct ExpertFfnShape {
  int hidden = 0, intermediate = 0;
  std::vector<std::int32_t> expert_rows;
  std::int64_t total_rows() const;
};

ComputeKind compute_kind(const program::Op& op);
// Routed experts whose forward GEMMs are (rows,2I,H) ups then (rows,H,I) downs,
// one pair per local expert: the MoE layer `moeplan-run --check` runs.
bool is_swiglu_experts(const program::Op& op);
// Valid when is_swiglu_experts(op).
ExpertFfnShape expert_ffn_shape(const program::Op& op);
// The GEMMs the op runs (Listed, GatingTopk: its list; FlopGemm: the equivalent one).
std::vector<program::Gemm> gemms_of(const program::Op& op);
// Whether the op's GEMMs run FP8 block-scaled (dtype FP8), and in which scale
// layout: W (weight gradient) multiplies two activations, F and Bi an activation by a weight.
bool runs_fp8(const program::Op& op);
// Whether cuDNN's fused attention runs this shape: causal attention of the
// op's new tokens over themselves and any cached prefix (not latent).
bool runs_on_fused_attention(const program::AttentionShape& a);
// Whether it is absorbed MLA over the latent cache (LatentAttention).
bool runs_latent_attention(const program::AttentionShape& a);
// The shape launched for `g`: k to a multiple of 16 and n of 8 (16-byte rows,
// cuBLASLt), and for FP8 m to a multiple of 8 (the FP8 heuristic has no
// algorithm for m = 1 or 1057 on H100; kernels/gemm/lt_gemm.h). Empty GEMMs stay empty.
program::Gemm gemm_launch_shape(const program::Gemm& g, bool fp8);
// The BF16 tensor a memory-bound kernel is launched on: rows x cols elements,
// count the top-k fan-out. An FP8 permute moves its bytes as a BF16 row of half
// the width (the same HBM traffic: program::kernel_bytes); RoPE's slice is
// rotated as heads of 64 (rope dim) when its width allows, else one head; the
// transposed cast takes rows in multiples of 16 (16-byte rows of the transpose).
struct KernelLaunch {
  std::int64_t rows = 0;
  int cols = 0, count = 1;
  int rope_heads = 1, rope_dim = 0;
};
KernelLaunch kernel_launch(const program::Kernel& k);
// DeviceCopy: bytes copied (half the op's read+write bytes, at least 256).
std::int64_t copy_bytes_of(const program::Op& op);

// Device memory one rank allocates to run the program (scratch operands shared
// by ops, expert weights and workspace, communication buffers), in bytes.
// Sizes of what the compute kernels share (runtime/exec/compute_kernels.h).
struct ComputeSizes {
  std::int64_t gemm_a_elems = 0, gemm_b_elems = 0, gemm_c_elems = 0;  // one GEMM's A[m,k], B[n,k], D[m,n] (launch shapes)
  std::int64_t gemm_a_scales = 0, gemm_b_scales = 0;                  // FP8 scale counts (VEC128 / BLK128x128)
  std::int64_t kernel_elems = 0;      // one memory-bound kernel's largest tensor (bf16 elements)
  std::int64_t kernel_rows = 0;       // its largest rows x count (rstd, top-k weights)
  int kernel_cols = 0;                // its widest row (norm weights)
  std::int64_t quant_scales = 0;      // the largest cast's fp32 scales (one per 1x128 tile)
  std::vector<std::int64_t> permute_pairs;  // distinct rows x count of permutes/unpermutes, a row map each
  std::int64_t norm_workspace_rows = 0;
  int norm_workspace_cols = 0;        // the RMSNorm backward launch with the largest workspace
  std::int64_t attention_qk_elems = 0, attention_v_elems = 0, attention_rows = 0;  // q/k, v/o, stats
  std::vector<program::AttentionShape> attention_shapes;  // distinct shapes, a cuDNN plan each
  std::int64_t latent_q_elems = 0, latent_cache_elems = 0, latent_o_elems = 0;  // latent attention operands
  std::vector<program::AttentionShape> latent_shapes;     // distinct shapes, a LatentAttention each
  void add(const program::Op& op);
  // Device bytes of these buffers (without the cuBLASLt and cuDNN workspaces).
  double buffer_bytes() const;
};

struct RankBuffers {
  ComputeSizes compute;
  std::int64_t copy_bytes = 0;
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
