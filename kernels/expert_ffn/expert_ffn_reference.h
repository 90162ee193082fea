// CPU reference of GroupedSwigluFfn::run (grouped_swiglu_ffn.h): fp64 dot
// products, h and act rounded to bf16 like the GPU path.
#pragma once

#include <cstdint>
#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void grouped_swiglu_ffn_reference(std::span<const Bf16Bits> x_grouped,
                                  std::span<const std::int32_t> expert_rows,
                                  std::span<const Bf16Bits> w13, std::span<const Bf16Bits> w2,
                                  int hidden, int intermediate, std::span<Bf16Bits> y_grouped);

}  // namespace moeplan::kernels
