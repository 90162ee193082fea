#include "permute/permute_reference.h"

namespace moeplan::kernels {

void permute_reference(std::span<const Bf16Bits> x, std::span<const std::int32_t> pair_to_row,
                       int num_tokens, int topk, int hidden, std::span<Bf16Bits> x_grouped) {
  const auto h = static_cast<std::size_t>(hidden);
  for (std::size_t t = 0; t < static_cast<std::size_t>(num_tokens); ++t)
    for (std::size_t k = 0; k < static_cast<std::size_t>(topk); ++k) {
      const int row = pair_to_row[t * static_cast<std::size_t>(topk) + k];
      if (row < 0) continue;
      for (std::size_t c = 0; c < h; ++c) x_grouped[static_cast<std::size_t>(row) * h + c] = x[t * h + c];
    }
}

void unpermute_combine_reference(std::span<const Bf16Bits> y_grouped,
                                 std::span<const std::int32_t> pair_to_row,
                                 std::span<const float> topk_weight, int num_tokens, int topk,
                                 int hidden, std::span<Bf16Bits> out) {
  const auto h = static_cast<std::size_t>(hidden);
  for (std::size_t t = 0; t < static_cast<std::size_t>(num_tokens); ++t)
    for (std::size_t c = 0; c < h; ++c) {
      double sum = 0.0;  // higher precision than the kernel's fp32
      for (std::size_t k = 0; k < static_cast<std::size_t>(topk); ++k) {
        const std::size_t pair = t * static_cast<std::size_t>(topk) + k;
        const int row = pair_to_row[pair];
        if (row < 0) continue;
        sum += static_cast<double>(topk_weight[pair]) *
               static_cast<double>(bf16_to_float(y_grouped[static_cast<std::size_t>(row) * h + c]));
      }
      out[t * h + c] = float_to_bf16(static_cast<float>(sum));
    }
}

}  // namespace moeplan::kernels
