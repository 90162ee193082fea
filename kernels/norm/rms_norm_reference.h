// CPU reference of the RMSNorm kernels (rms_norm.h), float64 math, bf16 rounding of y and dx.
#pragma once

#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void rms_norm_forward_reference(std::span<const Bf16Bits> x, std::span<const Bf16Bits> w, int rows,
                                int cols, float eps, std::span<Bf16Bits> y, std::span<float> rstd);
void rms_norm_backward_reference(std::span<const Bf16Bits> x, std::span<const Bf16Bits> w,
                                 std::span<const float> rstd, std::span<const Bf16Bits> dy,
                                 int rows, int cols, std::span<Bf16Bits> dx, std::span<float> dw);

}  // namespace moeplan::kernels
