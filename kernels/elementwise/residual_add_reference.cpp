#include "elementwise/residual_add_reference.h"

#include <cstddef>

namespace moeplan::kernels {

void residual_add_reference(std::span<const Bf16Bits> a, std::span<const Bf16Bits> b,
                            std::span<Bf16Bits> out) {
  // The same float add (round to nearest) and bf16 rounding as the GPU: bit-exact.
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = float_to_bf16(bf16_to_float(a[i]) + bf16_to_float(b[i]));
}

}  // namespace moeplan::kernels
