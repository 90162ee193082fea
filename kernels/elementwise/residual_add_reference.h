// CPU reference of launch_residual_add (residual_add.h).
#pragma once

#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void residual_add_reference(std::span<const Bf16Bits> a, std::span<const Bf16Bits> b,
                            std::span<Bf16Bits> out);

}  // namespace moeplan::kernels
