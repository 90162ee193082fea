// Shape of one attention call (DeepSeek-V3 MLA defaults) and its FLOP count.
// Shared by CudnnAttention, its CPU reference and the benchmark.
//
// Serving's prefill over a cached prefix attends `kv_seq_` keys per sequence
// (the cached prefix, then the seq_ new tokens): the causal mask is aligned
// bottom-right (query i sees keys 0 .. kv_seq - seq + i). Forward only.
//
// FLOPs (exact for a causal mask; pairs = seq * (seq + 1) / 2 per sequence,
// plus seq * (kv_seq - seq) over a cached prefix, seq * kv_seq without the mask):
//   forward   2 * pairs * heads * batch * (qk_dim + v_dim)          (Q.K^T, P.V)
//   backward  2 * pairs * heads * batch * (3 * qk_dim + 2 * v_dim)  (S recompute, dQ, dK; dP, dV)
#pragma once

#include <cmath>

namespace moeplan::kernels {

struct AttentionShape {
  int batch_ = 1;
  int seq_ = 4096;
  int heads_ = 128;
  int qk_dim_ = 192;
  int v_dim_ = 128;
  bool causal_ = true;
  float softmax_scale_ = 0.0f;  // 0: 1/sqrt(qk_dim)
  int kv_seq_ = 0;              // keys per sequence; 0: seq_ (self-attention)

  int kv() const { return kv_seq_ > 0 ? kv_seq_ : seq_; }

  float scale() const {
    return softmax_scale_ != 0.0f ? softmax_scale_
                                  : static_cast<float>(1.0 / std::sqrt(static_cast<double>(qk_dim_)));
  }
  // Query-key pairs that take part, summed over one sequence.
  double pairs_per_sequence() const {
    const double s = seq_, kv = this->kv();
    return causal_ ? s * (kv - s) + s * (s + 1.0) / 2.0 : s * kv;
  }
  double forward_flops() const {
    return 2.0 * pairs_per_sequence() * heads_ * batch_ * (qk_dim_ + v_dim_);
  }
  double backward_flops() const {
    return 2.0 * pairs_per_sequence() * heads_ * batch_ * (3.0 * qk_dim_ + 2.0 * v_dim_);
  }
};

}  // namespace moeplan::kernels
