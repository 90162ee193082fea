#include "rope/rope_reference.h"

#include <cmath>
#include <cstddef>

namespace moeplan::kernels {

void rope_inplace_reference(std::span<Bf16Bits> x, std::int64_t rows, std::int64_t row_stride,
                            int heads, int head_dim, int rope_dim, int seq_len, double theta_base,
                            bool inverse) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto position = static_cast<double>(r % seq_len);
    for (int h = 0; h < heads; ++h) {
      const std::int64_t base = r * row_stride + static_cast<std::int64_t>(h) * head_dim + (head_dim - rope_dim);
      for (int i = 0; i < rope_dim / 2; ++i) {
        const double theta = std::pow(theta_base, -2.0 * i / rope_dim);
        const double angle = (inverse ? -1.0 : 1.0) * position * theta;
        const auto i0 = static_cast<std::size_t>(base + 2 * i);
        const double v0 = bf16_to_float(x[i0]);
        const double v1 = bf16_to_float(x[i0 + 1]);
        x[i0] = float_to_bf16(static_cast<float>(v0 * std::cos(angle) - v1 * std::sin(angle)));
        x[i0 + 1] = float_to_bf16(static_cast<float>(v0 * std::sin(angle) + v1 * std::cos(angle)));
      }
    }
  }
}

}  // namespace moeplan::kernels
