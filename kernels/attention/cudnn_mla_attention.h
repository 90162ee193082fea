// DeepSeek-V3 MLA attention core, forward and backward, through cuDNN's fused
// flash-attention engines (cuDNN 9 backend API, no cudnn_frontend). Built only
// when CMake finds cuDNN (MOEPLAN_HAVE_CUDNN). CPU reference: attention_reference.h.
//
//   S    = scale * Q . K^T        [seq_q, seq_kv] per (batch, head), scale = 1/sqrt(qk_dim) by default
//   S    = -inf where col > row   (causal, top-left aligned)
//   P    = softmax(S) row-wise,   stats = logsumexp(S) row-wise (fp32, saved for backward)
//   O    = P . V
//   backward, with dO:  D = rowsum(dO * O), dP = dO . V^T, dS = P * (dP - D),
//                       dV = P^T . dO, dQ = scale * dS . K, dK = scale * dS^T . Q
//
// Over a cached prefix (serving prefill, shape.kv_seq_ > seq_): k and v hold
// kv_seq rows per sequence, the mask is aligned bottom-right (query i sees keys
// up to kv_seq - seq + i), and only forward() exists.
//
// Layouts: q, k, d_q, d_k are BF16 [batch, seq, heads, qk_dim]; v, o, d_o, d_v are
// BF16 [batch, seq, heads, v_dim] (row-major, dim fastest); stats is FP32
// [batch, heads, seq]. MLA: qk_dim 192 (128 nope + 64 rope), v_dim 128, 128 heads.
//
// FLOPs (attention_shape.h, exact for the causal mask, pairs = seq*(seq+1)/2):
//   forward 2*pairs*heads*batch*(qk+v), backward 2*pairs*heads*batch*(3*qk+2*v).
//
// cuDNN graphs (see cudnn_mla_attention.cpp): the fused-attention pattern of
// matmul, pointwise (scale, GEN_INDEX/CMP_GE/BINARY_SELECT causal mask, exp,
// log, ...), reduction and reshape operations, which cuDNN's runtime-fusion
// flash-attention engines accept. Construction builds both plans and throws
// (with cuDNN's answer) when no engine accepts a graph.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "attention/attention_shape.h"
#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

class CudnnAttention {
 public:
  explicit CudnnAttention(const AttentionShape& shape);
  ~CudnnAttention();
  CudnnAttention(const CudnnAttention&) = delete;
  CudnnAttention& operator=(const CudnnAttention&) = delete;

  // o and stats are outputs; all pointers are device pointers. Enqueues on `stream`.
  void forward(const Bf16Bits* q, const Bf16Bits* k, const Bf16Bits* v, Bf16Bits* o, float* stats,
               cudaStream_t stream);
  // q, k, v, o, stats as given to and returned by forward; d_o the output gradient.
  void backward(const Bf16Bits* q, const Bf16Bits* k, const Bf16Bits* v, const Bf16Bits* o,
                const Bf16Bits* d_o, const float* stats, Bf16Bits* d_q, Bf16Bits* d_k,
                Bf16Bits* d_v, cudaStream_t stream);

  const AttentionShape& shape() const { return shape_; }
  // Self-attention has a backward plan; attention over a cached prefix
  // (shape.kv() > shape.seq_, serving) is forward only.
  bool has_backward() const { return shape_.kv() == shape_.seq_; }
  // Device workspace the two plans and the backward's fp32 scratch hold.
  std::size_t workspace_bytes() const { return workspace_bytes_; }
  // Global index (CUDNN_ATTR_ENGINE_GLOBAL_INDEX) of the engine each plan runs on.
  std::int64_t forward_engine() const;
  std::int64_t backward_engine() const;
  // cudnnGetVersion() of the library loaded at run time, e.g. 91900.
  static std::size_t cudnn_version();

 private:
  struct Plans;  // cuDNN handle, graphs, plans (cudnn_mla_attention.cpp)
  AttentionShape shape_;
  std::unique_ptr<Plans> plans_;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 0;
};

}  // namespace moeplan::kernels
