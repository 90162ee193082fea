// Helpers for the memory-bound kernel tests: random bf16 data and error norms.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels::test {

inline std::vector<Bf16Bits> random_bf16(std::size_t count, std::mt19937_64& rng, float lo, float hi) {
  std::uniform_real_distribution<float> value(lo, hi);
  std::vector<Bf16Bits> out(count);
  for (auto& v : out) v = float_to_bf16(value(rng));
  return out;
}

// ||got - want|| / ||want|| over bf16 values; infinity if got holds a NaN/inf.
inline double bf16_relative_error(std::span<const Bf16Bits> got, std::span<const Bf16Bits> want) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = bf16_to_float(got[i]), w = bf16_to_float(want[i]);
    if (!std::isfinite(g)) return std::numeric_limits<double>::infinity();
    diff += (g - w) * (g - w);
    norm += w * w;
  }
  return norm == 0.0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

// Largest |got - want| in units of want's bf16 spacing (ulps; 1 = one rounding step).
inline double bf16_max_ulps(std::span<const Bf16Bits> got, std::span<const Bf16Bits> want) {
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = bf16_to_float(got[i]), w = bf16_to_float(want[i]);
    if (!std::isfinite(g)) return std::numeric_limits<double>::infinity();
    const double ulp = std::ldexp(1.0, std::ilogb(w == 0.0 ? 1e-30 : w) - 7);
    worst = std::max(worst, std::fabs(g - w) / ulp);
  }
  return worst;
}

}  // namespace moeplan::kernels::test
