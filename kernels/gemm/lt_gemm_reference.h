// CPU references of LtGemm (lt_gemm.h): exact dequantisation of the e4m3
// operands in float64 with the cuBLASLt scale layouts, and D = A . B^T in float64.
#pragma once

#include <span>
#include <vector>

#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"

namespace moeplan::kernels {

// D[m x n] = A[m x k] . B[n x k]^T, all row-major, float64.
std::vector<double> gemm_abt_reference(std::span<const double> a, std::span<const double> b, int m,
                                       int n, int k);
std::vector<double> bf16_to_double(std::span<const Bf16Bits> x);
// q [outer x k] e4m3 with VEC128 scales (scales[kb * outer + r]) -> float64.
std::vector<double> dequant_vec128_reference(std::span<const E4m3Bits> q,
                                             std::span<const float> scales, int outer, int k);
// q [outer x k] e4m3 with BLK128x128 scales (scales[(r/128) * lt_blk128_scale_ld(k) + kb]).
std::vector<double> dequant_blk128_reference(std::span<const E4m3Bits> q,
                                             std::span<const float> scales, int outer, int k);

}  // namespace moeplan::kernels
