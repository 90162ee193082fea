// CPU reference of launch_rope_inplace (rope.h), float64 angles and rotation, bf16 rounding.
#pragma once

#include <cstdint>
#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void rope_inplace_reference(std::span<Bf16Bits> x, std::int64_t rows, std::int64_t row_stride,
                            int heads, int head_dim, int rope_dim, int seq_len, double theta_base,
                            bool inverse);

}  // namespace moeplan::kernels
