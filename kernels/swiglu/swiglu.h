// SwiGLU activation alone (no GEMMs), BF16 in/out, FP32 math. CPU reference: swiglu_reference.h.
//
//   gate_up [rows, 2*cols]: gate = gate_up[:, :cols], up = gate_up[:, cols:] (gate half first,
//   the layout of the fused w13 projection, expert_ffn/grouped_swiglu_ffn.h)
//   forward : out[r, c] = silu(gate) * up,  silu(g) = g * sigmoid(g)       out [rows, cols]
//   backward: s = sigmoid(gate)
//             d_gate = d_out * up * s * (1 + gate * (1 - s))
//             d_up   = d_out * gate * s                                   d_gate_up [rows, 2*cols]
// cols % 8 == 0 (16-byte chunks).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

// The forward is the expert FFN's activation kernel (launch_swiglu), under this name.
void launch_swiglu_forward(const Bf16Bits* gate_up, std::int64_t rows, int cols, Bf16Bits* out,
                           cudaStream_t stream);
void launch_swiglu_backward(const Bf16Bits* gate_up, const Bf16Bits* d_out, std::int64_t rows,
                            int cols, Bf16Bits* d_gate_up, cudaStream_t stream);

}  // namespace moeplan::kernels
