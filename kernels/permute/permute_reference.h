// CPU references of launch_permute and launch_unpermute_combine (permute.h).
#pragma once

#include <cstdint>
#include <span>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void permute_reference(std::span<const Bf16Bits> x, std::span<const std::int32_t> pair_to_row,
                       int num_tokens, int topk, int hidden, std::span<Bf16Bits> x_grouped);

void unpermute_combine_reference(std::span<const Bf16Bits> y_grouped,
                                 std::span<const std::int32_t> pair_to_row,
                                 std::span<const float> topk_weight, int num_tokens, int topk,
                                 int hidden, std::span<Bf16Bits> out);

}  // namespace moeplan::kernels
