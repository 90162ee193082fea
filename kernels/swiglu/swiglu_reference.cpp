#include "swiglu/swiglu_reference.h"

#include <cmath>
#include <cstddef>

namespace moeplan::kernels {
namespace {

double sigmoid(double g) { return 1.0 / (1.0 + std::exp(-g)); }

}  // namespace

void swiglu_forward_reference(std::span<const Bf16Bits> gate_up, int rows, int cols,
                              std::span<Bf16Bits> out) {
  const auto n = static_cast<std::size_t>(cols);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r)
    for (std::size_t c = 0; c < n; ++c) {
      const double g = bf16_to_float(gate_up[r * 2 * n + c]);
      const double u = bf16_to_float(gate_up[r * 2 * n + n + c]);
      out[r * n + c] = float_to_bf16(static_cast<float>(g * sigmoid(g) * u));
    }
}

void swiglu_backward_reference(std::span<const Bf16Bits> gate_up, std::span<const Bf16Bits> d_out,
                               int rows, int cols, std::span<Bf16Bits> d_gate_up) {
  const auto n = static_cast<std::size_t>(cols);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r)
    for (std::size_t c = 0; c < n; ++c) {
      const double g = bf16_to_float(gate_up[r * 2 * n + c]);
      const double u = bf16_to_float(gate_up[r * 2 * n + n + c]);
      const double d = bf16_to_float(d_out[r * n + c]);
      const double s = sigmoid(g);
      d_gate_up[r * 2 * n + c] = float_to_bf16(static_cast<float>(d * u * s * (1.0 + g * (1.0 - s))));
      d_gate_up[r * 2 * n + n + c] = float_to_bf16(static_cast<float>(d * g * s));
    }
}

}  // namespace moeplan::kernels
