// FP8 E4M3 (OCP "fn" variant: no infinities, max finite 448) as raw bits on the
// host: round-to-nearest-even with saturation to +-448, exact decode. Matches the
// device conversion cvt.rn.satfinite.e4m3x2.f32 used by the quantisation kernels.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace moeplan::kernels {

using E4m3Bits = std::uint8_t;

inline constexpr float kE4m3Max = 448.0f;
// Unit roundoff of e4m3 (4 significant bits): 2^-4.
inline constexpr double kE4m3Epsilon = 1.0 / 16.0;

inline float e4m3_to_float(E4m3Bits bits) {
  const int sign = (bits >> 7) & 1;
  const int exponent = (bits >> 3) & 0xf;
  const int mantissa = bits & 0x7;
  float magnitude = 0.0f;
  if (exponent == 0xf && mantissa == 0x7) {
    magnitude = std::nanf("");
  } else if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -9);  // subnormal: m * 2^-6 / 8
  } else {
    magnitude = std::ldexp(static_cast<float>(8 + mantissa), exponent - 10);
  }
  return sign != 0 ? -magnitude : magnitude;
}

inline E4m3Bits float_to_e4m3(float value) {
  if (std::isnan(value)) return 0x7f;
  const std::uint8_t sign = std::signbit(value) ? 0x80 : 0x00;
  const float magnitude = std::fabs(value);
  if (magnitude >= kE4m3Max) return static_cast<E4m3Bits>(sign | 0x7e);  // satfinite
  // The representable grid spacing below 2^(e+1) is 2^(e-3) for normals
  // (e >= -6) and 2^-9 for subnormals. Round magnitude onto that grid with
  // round-half-even (nearbyint in the default rounding mode), then encode.
  int exponent = 0;
  (void)std::frexp(magnitude, &exponent);  // magnitude = f * 2^exponent, f in [0.5, 1)
  const int unbiased = exponent - 1;       // magnitude in [2^unbiased, 2^(unbiased+1))
  const int spacing_log2 = (unbiased < -6 ? -6 : unbiased) - 3;
  const float steps = std::nearbyint(std::ldexp(magnitude, -spacing_log2));
  const float rounded = std::ldexp(steps, spacing_log2);
  if (rounded >= kE4m3Max) return static_cast<E4m3Bits>(sign | 0x7e);
  if (rounded == 0.0f) return sign;
  int rounded_exponent = 0;
  (void)std::frexp(rounded, &rounded_exponent);
  const int rounded_unbiased = rounded_exponent - 1;
  if (rounded_unbiased < -6) {  // subnormal: value = m * 2^-9
    const int mantissa = static_cast<int>(std::ldexp(rounded, 9));
    return static_cast<E4m3Bits>(sign | mantissa);
  }
  const int mantissa = static_cast<int>(std::ldexp(rounded, 3 - rounded_unbiased)) - 8;
  const int biased = rounded_unbiased + 7;
  return static_cast<E4m3Bits>(sign | (biased << 3) | mantissa);
}

}  // namespace moeplan::kernels
