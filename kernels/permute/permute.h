// Permute (dispatch side) and unpermute-combine on the GPU, BF16 rows.
// CPU reference: permute_reference.h. Row maps come from launch_dispatch_layout.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

// Permute: x_grouped[pair_to_row[t*topk+k], :] = x[t, :] for every pair with
// row >= 0. Each token row is read once and written topk times (scatter form of
// the gather "x_grouped[r] = x[row_to_pair[r]/topk]": same result, fewest bytes).
// x: [num_tokens, hidden] bf16; x_grouped: [rows, hidden] bf16; hidden % 8 == 0.
void launch_permute(const Bf16Bits* x, const std::int32_t* pair_to_row, int num_tokens,
                    int topk, int hidden, Bf16Bits* x_grouped, cudaStream_t stream);

// Unpermute + combine: out[t, :] = sum_k topk_weight[t,k] * y_grouped[pair_to_row[t*topk+k], :]
// over pairs with row >= 0, accumulated in fp32 in k order, rounded once to bf16.
// topk <= kCombineMaxTopk.
inline constexpr int kCombineMaxTopk = 16;
void launch_unpermute_combine(const Bf16Bits* y_grouped, const std::int32_t* pair_to_row,
                              const float* topk_weight, int num_tokens, int topk, int hidden,
                              Bf16Bits* out, cudaStream_t stream);

}  // namespace moeplan::kernels
