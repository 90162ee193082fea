#include "expert_ffn/expert_ffn_reference.h"

#include <cmath>
#include <vector>

namespace moeplan::kernels {

void grouped_swiglu_ffn_reference(std::span<const Bf16Bits> x_grouped,
                                  std::span<const std::int32_t> expert_rows,
                                  std::span<const Bf16Bits> w13, std::span<const Bf16Bits> w2,
                                  int hidden, int intermediate, std::span<Bf16Bits> y_grouped) {
  const auto h_dim = static_cast<std::size_t>(hidden);
  const auto i_dim = static_cast<std::size_t>(intermediate);
  // Weights to float once.
  std::vector<float> w13_f(w13.size()), w2_f(w2.size());
  for (std::size_t i = 0; i < w13.size(); ++i) w13_f[i] = bf16_to_float(w13[i]);
  for (std::size_t i = 0; i < w2.size(); ++i) w2_f[i] = bf16_to_float(w2[i]);

  std::size_t row = 0;
  std::vector<float> x_row(h_dim), act(i_dim);
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {
    const float* w13_e = w13_f.data() + e * 2 * i_dim * h_dim;
    const float* w2_e = w2_f.data() + e * h_dim * i_dim;
    for (std::int32_t r = 0; r < expert_rows[e]; ++r, ++row) {
      for (std::size_t c = 0; c < h_dim; ++c) x_row[c] = bf16_to_float(x_grouped[row * h_dim + c]);
      // Gate/up projection, each output rounded to bf16, then SwiGLU rounded to bf16.
      for (std::size_t j = 0; j < i_dim; ++j) {
        double gate = 0.0, up = 0.0;
        const float* w_gate = w13_e + j * h_dim;
        const float* w_up = w13_e + (i_dim + j) * h_dim;
        for (std::size_t c = 0; c < h_dim; ++c) {
          gate += static_cast<double>(x_row[c]) * static_cast<double>(w_gate[c]);
          up += static_cast<double>(x_row[c]) * static_cast<double>(w_up[c]);
        }
        const double g = bf16_to_float(float_to_bf16(static_cast<float>(gate)));
        const double u = bf16_to_float(float_to_bf16(static_cast<float>(up)));
        act[j] = bf16_to_float(float_to_bf16(static_cast<float>(g / (1.0 + std::exp(-g)) * u)));
      }
      // Down projection.
      for (std::size_t c = 0; c < h_dim; ++c) {
        double sum = 0.0;
        const float* w_row = w2_e + c * i_dim;
        for (std::size_t j = 0; j < i_dim; ++j)
          sum += static_cast<double>(act[j]) * static_cast<double>(w_row[j]);
        y_grouped[row * h_dim + c] = float_to_bf16(static_cast<float>(sum));
      }
    }
  }
}

}  // namespace moeplan::kernels
