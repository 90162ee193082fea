#include "norm/rms_norm_reference.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace moeplan::kernels {

void rms_norm_forward_reference(std::span<const Bf16Bits> x, std::span<const Bf16Bits> w, int rows,
                                int cols, float eps, std::span<Bf16Bits> y, std::span<float> rstd) {
  const auto n = static_cast<std::size_t>(cols);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) {
    double sum_squares = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const double v = bf16_to_float(x[r * n + c]);
      sum_squares += v * v;
    }
    const double s = 1.0 / std::sqrt(sum_squares / static_cast<double>(cols) + static_cast<double>(eps));
    rstd[r] = static_cast<float>(s);
    for (std::size_t c = 0; c < n; ++c)
      y[r * n + c] = float_to_bf16(static_cast<float>(bf16_to_float(x[r * n + c]) * s * bf16_to_float(w[c])));
  }
}

void rms_norm_backward_reference(std::span<const Bf16Bits> x, std::span<const Bf16Bits> w,
                                 std::span<const float> rstd, std::span<const Bf16Bits> dy,
                                 int rows, int cols, std::span<Bf16Bits> dx, std::span<float> dw) {
  const auto n = static_cast<std::size_t>(cols);
  std::vector<double> dw_sum(n, 0.0);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) {
    const double s = rstd[r];
    double dot = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const double xhat = bf16_to_float(x[r * n + c]) * s;
      const double g = static_cast<double>(bf16_to_float(dy[r * n + c])) * bf16_to_float(w[c]);
      dot += g * xhat;
      dw_sum[c] += static_cast<double>(bf16_to_float(dy[r * n + c])) * xhat;
    }
    const double mean_dot = dot / static_cast<double>(cols);
    for (std::size_t c = 0; c < n; ++c) {
      const double xhat = bf16_to_float(x[r * n + c]) * s;
      const double g = static_cast<double>(bf16_to_float(dy[r * n + c])) * bf16_to_float(w[c]);
      dx[r * n + c] = float_to_bf16(static_cast<float>(s * (g - xhat * mean_dot)));
    }
  }
  for (std::size_t c = 0; c < n; ++c) dw[c] = static_cast<float>(dw_sum[c]);
}

}  // namespace moeplan::kernels
