// Shape of one attention call (DeepSeek-V3 MLA defaults) and its FLOP count.
// Shared by CudnnAttention, its CPU reference and the benchmark.
//
// FLOPs (exact for a causal mask; pairs = seq * (seq + 1) / 2 per sequence,
// seq * seq without the mask):
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

  float scale() const {
    return softmax_scale_ != 0.0f ? softmax_scale_
                                  : static_cast<float>(1.0 / std::sqrt(static_cast<double>(qk_dim_)));
  }
  // Query-key pairs that take part, summed over one sequence.
  double pairs_per_sequence() const {
    const double s = seq_;
    return causal_ ? s * (s + 1.0) / 2.0 : s * s;
  }
  double forward_flops() const {
    return 2.0 * pairs_per_sequence() * heads_ * batch_ * (qk_dim_ + v_dim_);
  }
  double backward_flops() const {
    return 2.0 * pairs_per_sequence() * heads_ * batch_ * (3.0 * qk_dim_ + 2.0 * v_dim_);
  }
};

}  // namespace moeplan::kernels
