// CPU reference of CudnnAttention (cudnn_mla_attention.h): softmax(scale * Q.K^T
// [causal]) . V and its gradients, in double throughout. Inputs and outputs are
// doubles in the same layouts as the GPU buffers (q, k, d_q, d_k [batch, seq,
// heads, qk_dim]; v, o, d_o, d_v [batch, seq, heads, v_dim]; stats [batch,
// heads, seq]), so tests can feed it the bf16 values the GPU sees, and
// finite-difference checks can perturb its inputs.
#pragma once

#include <span>

#include "attention/attention_shape.h"

namespace moeplan::kernels {

// o = softmax(S) . V, stats = logsumexp(S) per row, S = scale * Q.K^T (masked).
void attention_forward_reference(const AttentionShape& shape, std::span<const double> q,
                                 std::span<const double> k, std::span<const double> v,
                                 std::span<double> o, std::span<double> stats);

// Gradients of sum(O * d_o) with respect to q, k, v; recomputes P itself
// (takes no forward outputs), D = rowsum(P * dP) exactly.
void attention_backward_reference(const AttentionShape& shape, std::span<const double> q,
                                  std::span<const double> k, std::span<const double> v,
                                  std::span<const double> d_o, std::span<double> d_q,
                                  std::span<double> d_k, std::span<double> d_v);

}  // namespace moeplan::kernels
