// Rotary position embedding, in place, BF16 storage, FP32 math. CPU reference: rope_reference.h.
//
//   x row r holds `heads` heads of head_dim values, row r at x + r * row_stride (elements);
//   the last rope_dim values of each head are rotated (DeepSeek-V3: rope_dim 64 of the
//   192-dim query heads, and the 64-dim shared key k_pe with heads = 1).
//   Convention: interleaved pairs (DeepSeek-V3, and the original RoFormer): pair i is
//   (v[2i], v[2i+1]) of the rope slice, not the half-split (v[i], v[i + rope_dim/2]) of
//   GPT-NeoX/Llama-HF.
//     position p = r % seq_len (rows are [batch, seq] flattened), theta_i = base^(-2i/rope_dim)
//     (v0', v1') = (v0 cos a - v1 sin a, v0 sin a + v1 cos a),  a = p * theta_i
//   inverse = true rotates by -a: the backward pass (the rotation's transpose).
// Requirements: rope_dim even, rope_dim <= head_dim, and row_stride, head_dim, rope_dim all
// multiples of 8 with x 16-byte aligned (16-byte vector loads).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

inline constexpr float kRopeDefaultThetaBase = 10000.0f;

void launch_rope_inplace(Bf16Bits* x, std::int64_t rows, std::int64_t row_stride, int heads,
                         int head_dim, int rope_dim, int seq_len, float theta_base, bool inverse,
                         cudaStream_t stream);

}  // namespace moeplan::kernels
