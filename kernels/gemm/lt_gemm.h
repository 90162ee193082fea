// Dense GEMMs of the training step through cuBLASLt, BF16 output, FP32 accumulation.
// CPU reference: lt_gemm_reference.h.
//
//   D[m x n] = A[m x k] . B[n x k]^T   (+ D when accumulating)
//   A, B, D row-major and dense; A and B are K-major ("TN", the only FP8 form
//   Hopper's tensor cores take). In cuBLAS's column-major terms this is
//   D^T (n x m) = op_T(B) . A^T: cuBLAS A := our B (k x n, ld k, transa T),
//   cuBLAS B := our A (k x m, ld k, transb N), D (n x m, ld n).
//
// Modes
//   bf16                    A, B bf16.
//   fp8_act_x_weight        A, B e4m3; A scaled 1x128 (VEC128_32F: one fp32 per row per
//                           128 of K), B scaled 128x128 (BLK128x128_32F). Forward (x . W^T)
//                           and input-gradient (dy . W) GEMMs, B = a weight.
//   fp8_act_x_act           A, B e4m3, both 1x128 along K (VEC128_32F x VEC128_32F): the
//                           weight-gradient GEMM dW = dy^T . x, K = tokens, both operands from
//                           launch_fp8_quant_transposed_1x128 (quant/fp8_block_quant.h).
// Scale tensors (fp32, device; the layouts cuBLASLt 13 reads, checked on sm_90 by
// tests/kernels/gemm/lt_gemm_test.cpp):
//   VEC128 of a K-major operand with `outer` rows: [ceil(k/128)][outer], outer contiguous:
//     scale of (row r, K-block kb) at scales[kb * outer + r]      (lt_vec128_scale_index)
//   BLK128x128 of a K-major operand [outer x k]: [ceil(outer/128)][ld], K-blocks contiguous,
//     ld = ceil(k/128) rounded up to a multiple of 4: scale of (r, kb) at
//     scales[(r/128) * ld + kb]                                    (lt_blk128_scale_index)
//   The value applied is the dequantisation factor: x = e4m3 * scale (quant/fp8_block_quant.h).
// What cuBLASLt 13.1 (130100) accepts on sm_90 (H100, e4m3 TN, 512^3, bf16 or fp32 out;
// LtGemmProbe.ReportsSupportedScaleModes prints it): algorithms returned per
// (cuBLAS A mode x cuBLAS B mode), once the scale pointers are set (with null scale
// pointers every non-scalar mode is CUBLAS_STATUS_INVALID_VALUE):
//   SCALAR x SCALAR 8 | VEC128 x VEC128 6 | BLK128x128 x VEC128 1 | VEC128 x BLK128x128 1
//   OUTER_VEC x OUTER_VEC 1 | OUTER_VEC x BLK128x128 1
//   BLK128x128 x BLK128x128, VEC128 x OUTER_VEC, mixes with SCALAR, VEC32_UE8M0: none.
// So both weight GEMMs (BLK128x128 weight as cuBLAS A) and the weight-gradient GEMM
// (VEC128 x VEC128) are served; the layouts above were verified against the CPU
// reference on H100 (tests/kernels/gemm/lt_gemm_test.cpp, partial blocks and a padded ld).
//
// m: the FP8 heuristic found no algorithm for m = 1 and m = 1057 on H100 (m = 40, 128, 200,
// 256, 2048, 4096 work): keep m a multiple of 8 for FP8 (pad expert segments); unchecked here,
// run_fp8 throws when the heuristic returns nothing. BF16 takes any m.
// Requirements: k % 16 == 0 and n % 8 == 0 (16-byte rows), pointers 16-byte aligned
// (cudaMalloc gives 256). The heuristic's algorithm is cached per (mode, m, n, k,
// accumulate); run() only enqueues (host work: one map look-up, two attribute sets).
// Not thread-safe: one LtGemm per thread/stream owner.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"

struct cublasLtContext;

namespace moeplan::kernels {

enum class LtGemmMode { bf16, fp8_act_x_weight, fp8_act_x_act };

inline constexpr std::size_t kLtGemmDefaultWorkspaceBytes = std::size_t{32} << 20;

inline constexpr int lt_k_blocks(int k) { return (k + 127) / 128; }
inline constexpr int lt_blk128_scale_ld(int k) { return (lt_k_blocks(k) + 3) / 4 * 4; }
// Element counts of the scale tensors.
inline constexpr std::int64_t lt_vec128_scale_count(int outer, int k) {
  return static_cast<std::int64_t>(lt_k_blocks(k)) * outer;
}
inline constexpr std::int64_t lt_blk128_scale_count(int outer, int k) {
  return static_cast<std::int64_t>((outer + 127) / 128) * lt_blk128_scale_ld(k);
}
inline constexpr std::int64_t lt_vec128_scale_index(int outer, int r, int kb) {
  return static_cast<std::int64_t>(kb) * outer + r;
}
inline constexpr std::int64_t lt_blk128_scale_index(int k, int r, int kb) {
  return static_cast<std::int64_t>(r / 128) * lt_blk128_scale_ld(k) + kb;
}

class LtGemm {
 public:
  explicit LtGemm(std::size_t workspace_bytes = kLtGemmDefaultWorkspaceBytes);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  // D = A . B^T (accumulate: D += A . B^T), bf16 operands.
  void run_bf16(const Bf16Bits* a, const Bf16Bits* b, Bf16Bits* d, int m, int n, int k,
                cudaStream_t stream, bool accumulate = false);
  // FP8 block-scaled; mode fp8_act_x_weight or fp8_act_x_act (scale layouts above).
  void run_fp8(LtGemmMode mode, const E4m3Bits* a, const float* a_scales, const E4m3Bits* b,
               const float* b_scales, Bf16Bits* d, int m, int n, int k, cudaStream_t stream,
               bool accumulate = false);
  // Whether the heuristic returns an algorithm for this mode and shape (no launch).
  bool supports(LtGemmMode mode, int m, int n, int k);

  std::size_t cached_plans() const { return plans_.size(); }

 private:
  struct Plan;
  using Key = std::tuple<int, int, int, int, bool>;
  Plan* plan_for(LtGemmMode mode, int m, int n, int k, bool accumulate);
  void enqueue(Plan& plan, const void* a, const void* b, Bf16Bits* d, bool accumulate,
               cudaStream_t stream);

  cublasLtContext* handle_ = nullptr;
  void* workspace_ = nullptr;
  void* placeholder_scales_ = nullptr;  // non-null scale pointers for the heuristic query
  std::size_t workspace_bytes_ = 0;
  std::map<Key, std::unique_ptr<Plan>> plans_;
};

}  // namespace moeplan::kernels
