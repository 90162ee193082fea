// BF16 as raw bits on the host: round-to-nearest-even from float, exact to float.
// Used by the CPU references, the tests and the benchmark; device code uses
// __nv_bfloat16 with the same rounding (__float2bfloat16_rn).
#pragma once

#include <bit>
#include <cstdint>

namespace moeplan::kernels {

using Bf16Bits = std::uint16_t;

// Unit roundoff of bf16 (8 significant bits): 2^-8.
inline constexpr double kBf16Epsilon = 1.0 / 256.0;

inline float bf16_to_float(Bf16Bits bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

inline Bf16Bits float_to_bf16(float value) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0) {
    return static_cast<Bf16Bits>((u >> 16) | 0x0040u);  // quiet NaN, sign kept
  }
  const std::uint32_t rounding_bias = 0x7fffu + ((u >> 16) & 1u);
  return static_cast<Bf16Bits>((u + rounding_bias) >> 16);
}

}  // namespace moeplan::kernels
