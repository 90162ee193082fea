// BF16 test values shared by the attention tests: random inputs, their exact
// values in double for the CPU references, and the relative error of a BF16
// result against a double reference.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "numeric/bf16_bits.h"

namespace moeplan::kernels::test {

inline std::vector<Bf16Bits> random_bf16(std::size_t count, float scale, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> pick(-scale, scale);
  std::vector<Bf16Bits> out(count);
  for (auto& x : out) x = float_to_bf16(pick(rng));
  return out;
}

inline std::vector<double> to_double(const std::vector<Bf16Bits>& bits) {
  std::vector<double> out(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = bf16_to_float(bits[i]);
  return out;
}

inline double bf16_error(const std::vector<Bf16Bits>& got, const std::vector<double>& want) {
  const auto values = to_double(got);
  return relative_error<double, double>(values, want, [](double x) { return x; });
}

}  // namespace moeplan::kernels::test
