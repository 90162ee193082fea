#include "gemm/lt_gemm_reference.h"

#include <cstddef>

#include "gemm/lt_gemm.h"

namespace moeplan::kernels {

std::vector<double> gemm_abt_reference(std::span<const double> a, std::span<const double> b, int m,
                                       int n, int k) {
  const auto ku = static_cast<std::size_t>(k);
  std::vector<double> d(static_cast<std::size_t>(m) * static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < static_cast<std::size_t>(m); ++i)
    for (std::size_t j = 0; j < static_cast<std::size_t>(n); ++j) {
      double sum = 0.0;
      const double* a_row = a.data() + i * ku;
      const double* b_row = b.data() + j * ku;
      for (std::size_t p = 0; p < ku; ++p) sum += a_row[p] * b_row[p];
      d[i * static_cast<std::size_t>(n) + j] = sum;
    }
  return d;
}

std::vector<double> bf16_to_double(std::span<const Bf16Bits> x) {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<double>(bf16_to_float(x[i]));
  return out;
}

std::vector<double> dequant_vec128_reference(std::span<const E4m3Bits> q,
                                             std::span<const float> scales, int outer, int k) {
  std::vector<double> out(q.size());
  for (int r = 0; r < outer; ++r)
    for (int c = 0; c < k; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(k) + static_cast<std::size_t>(c);
      out[i] = static_cast<double>(e4m3_to_float(q[i])) *
               static_cast<double>(scales[static_cast<std::size_t>(lt_vec128_scale_index(outer, r, c / 128))]);
    }
  return out;
}

std::vector<double> dequant_blk128_reference(std::span<const E4m3Bits> q,
                                             std::span<const float> scales, int outer, int k) {
  std::vector<double> out(q.size());
  for (int r = 0; r < outer; ++r)
    for (int c = 0; c < k; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(k) + static_cast<std::size_t>(c);
      out[i] = static_cast<double>(e4m3_to_float(q[i])) *
               static_cast<double>(scales[static_cast<std::size_t>(lt_blk128_scale_index(k, r, c / 128))]);
    }
  return out;
}

}  // namespace moeplan::kernels
