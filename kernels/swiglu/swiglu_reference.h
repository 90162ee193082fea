// CPU reference of the SwiGLU activation kernels (swiglu.h), float64 math, bf16 rounding.
#pragma once

#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void swiglu_forward_reference(std::span<const Bf16Bits> gate_up, int rows, int cols,
                              std::span<Bf16Bits> out);
void swiglu_backward_reference(std::span<const Bf16Bits> gate_up, std::span<const Bf16Bits> d_out,
                               int rows, int cols, std::span<Bf16Bits> d_gate_up);

}  // namespace moeplan::kernels
