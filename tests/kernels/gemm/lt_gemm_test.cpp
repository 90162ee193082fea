// LtGemm (cuBLASLt) vs float64 references: BF16 within bf16 output rounding;
// FP8 block-scaled within bf16 output rounding of the product of the exactly
// dequantised operands, and within e4m3 rounding of the unquantised product.
// Also prints which cuBLASLt scale-mode pairs the heuristic accepts on this GPU.
#include <cublasLt.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gemm/lt_gemm.h"
#include "gemm/lt_gemm_reference.h"
#include "gpu_test_support.h"
#include "quant/fp8_block_quant.h"
#include "quant/fp8_block_quant_reference.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {
namespace {

std::vector<Bf16Bits> random_bf16(std::size_t count, std::mt19937_64& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> value(lo, hi);
  std::vector<Bf16Bits> out(count);
  for (auto& v : out) v = float_to_bf16(value(rng));
  return out;
}

double relative_error(std::span<const Bf16Bits> got, std::span<const double> want) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = bf16_to_float(got[i]);
    if (!std::isfinite(g)) return INFINITY;
    diff += (g - want[i]) * (g - want[i]);
    norm += want[i] * want[i];
  }
  return std::sqrt(diff / norm);
}

double relative_error(std::span<const double> got, std::span<const double> want) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    diff += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  return std::sqrt(diff / norm);
}

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

// Output rounding to bf16 (unit roundoff kBf16Epsilon) plus fp32 accumulation: 2u.
constexpr double kOutputTolerance = 2.0 * kBf16Epsilon;
// Each e4m3 operand element carries a relative error of at most 2^-4 (normals), so
// a product term at most ~2 * 2^-4; random signs make the Frobenius error of the sum
// about sqrt(2) times the rms element error, below sqrt(2) * 2^-4 = 0.088.
const double kFp8Tolerance = std::sqrt(2.0) * kE4m3Epsilon;

void expect_bf16_matches(int m, int n, int k) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
  std::mt19937_64 rng(seed);
  const auto a = random_bf16(sz(m) * sz(k), rng), b = random_bf16(sz(n) * sz(k), rng);
  const auto d0 = random_bf16(sz(m) * sz(n), rng);
  const auto want = gemm_abt_reference(bf16_to_double(a), bf16_to_double(b), m, n, k);
  DeviceBuffer<Bf16Bits> a_d{std::span<const Bf16Bits>(a)}, b_d{std::span<const Bf16Bits>(b)}, d_d(sz(m) * sz(n));
  d_d.poison();
  LtGemm gemm;
  gemm.run_bf16(a_d.data(), b_d.data(), d_d.data(), m, n, k, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const double error = relative_error(d_d.download(), want);
  std::printf("  bf16 %dx%dx%d: rel error %.2e\n", m, n, k, error);
  EXPECT_LE(error, kOutputTolerance);
  // accumulate: D = D0 + A . B^T
  d_d.upload(d0);
  gemm.run_bf16(a_d.data(), b_d.data(), d_d.data(), m, n, k, nullptr, true);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  auto want_acc = want;
  for (std::size_t i = 0; i < want_acc.size(); ++i) want_acc[i] += bf16_to_float(d0[i]);
  const double acc_error = relative_error(d_d.download(), want_acc);
  EXPECT_LE(acc_error, kOutputTolerance) << "accumulate";
  EXPECT_EQ(gemm.cached_plans(), 2u);
}

TEST(LtGemmBf16, MatchesReference) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_bf16_matches(256, 384, 512);
  expect_bf16_matches(200, 136, 272);
}

// A [m x k] quantised 1x128 (GEMM scale layout), B [n x k] 128x128; the codes and
// scales are checked against the row-major CPU quantisation first.
void expect_fp8_act_x_weight_matches(int m, int n, int k) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
  std::mt19937_64 rng(seed);
  const auto a = random_bf16(sz(m) * sz(k), rng), b = random_bf16(sz(n) * sz(k), rng, -0.05f, 0.05f);
  DeviceBuffer<Bf16Bits> a_d{std::span<const Bf16Bits>(a)}, b_d{std::span<const Bf16Bits>(b)}, d_d(sz(m) * sz(n));
  DeviceBuffer<E4m3Bits> qa_d(a.size()), qb_d(b.size());
  DeviceBuffer<float> sa_d(sz(lt_vec128_scale_count(m, k))), sb_d(sz(lt_blk128_scale_count(n, k)));
  sa_d.poison();
  sb_d.poison();
  d_d.poison();
  launch_fp8_quant_act_1x128_gemm_scales(a_d.data(), m, k, qa_d.data(), sa_d.data(), nullptr);
  launch_fp8_quant_weight_128x128_gemm_scales(b_d.data(), n, k, qb_d.data(), sb_d.data(), nullptr);
  LtGemm gemm;
  ASSERT_TRUE(gemm.supports(LtGemmMode::fp8_act_x_weight, m, n, k)) << "no cuBLASLt algorithm";
  gemm.run_fp8(LtGemmMode::fp8_act_x_weight, qa_d.data(), sa_d.data(), qb_d.data(), sb_d.data(), d_d.data(), m, n, k, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto qa = qa_d.download(), qb = qb_d.download();
  const auto sa = sa_d.download(), sb = sb_d.download();

  const int tiles = fp8_tiles_per_row(k);
  std::vector<E4m3Bits> want_qa(a.size()), want_qb(b.size());
  std::vector<float> want_sa(sz(m) * sz(tiles)), want_sb(sz(fp8_tiles_per_row(n)) * sz(tiles));
  fp8_quant_act_1x128_reference(a, m, k, want_qa, want_sa);
  fp8_quant_weight_128x128_reference(b, n, k, want_qb, want_sb);
  ASSERT_TRUE(qa == want_qa && qb == want_qb) << "e4m3 codes differ from the CPU quantisation";
  for (int r = 0; r < m; ++r)
    for (int t = 0; t < tiles; ++t)
      ASSERT_EQ(sa[sz(lt_vec128_scale_index(m, r, t))], want_sa[sz(r) * sz(tiles) + sz(t)]) << "act scale " << r << "," << t;
  for (int rb = 0; rb < fp8_tiles_per_row(n); ++rb)
    for (int t = 0; t < lt_blk128_scale_ld(k); ++t)
      ASSERT_EQ(sb[sz(rb) * sz(lt_blk128_scale_ld(k)) + sz(t)], t < tiles ? want_sb[sz(rb) * sz(tiles) + sz(t)] : 0.0f)
          << "weight scale " << rb << "," << t;

  const auto want = gemm_abt_reference(dequant_vec128_reference(qa, sa, m, k), dequant_blk128_reference(qb, sb, n, k), m, n, k);
  const auto exact = gemm_abt_reference(bf16_to_double(a), bf16_to_double(b), m, n, k);
  const auto d = d_d.download();
  const double error = relative_error(d, want);
  const double quant_error = relative_error(d, exact);
  std::printf("  fp8 act x weight %dx%dx%d: rel error %.2e vs dequantised product, %.2e vs bf16 product (quantisation alone %.2e)\n",
              m, n, k, error, quant_error, relative_error(want, exact));
  EXPECT_LE(error, kOutputTolerance);
  EXPECT_LE(quant_error, kFp8Tolerance);
}

TEST(LtGemmFp8ActXWeight, MatchesDequantisedProduct) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_fp8_act_x_weight_matches(256, 384, 512);
  expect_fp8_act_x_weight_matches(200, 264, 640);  // partial row and column blocks, padded scale ld
}

// Weight-gradient form: A = x_a^T, B = x_b^T from [k x m] and [k x n] bf16 (K = tokens),
// both through the transposed 1x128 quantisation.
void expect_fp8_act_x_act_matches(int m, int n, int k) {
  const std::uint64_t seed = test::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
  std::mt19937_64 rng(seed);
  const auto xa = random_bf16(sz(k) * sz(m), rng), xb = random_bf16(sz(k) * sz(n), rng);
  DeviceBuffer<Bf16Bits> xa_d{std::span<const Bf16Bits>(xa)}, xb_d{std::span<const Bf16Bits>(xb)}, d_d(sz(m) * sz(n));
  DeviceBuffer<E4m3Bits> qa_d(xa.size()), qb_d(xb.size());
  DeviceBuffer<float> sa_d(sz(lt_vec128_scale_count(m, k))), sb_d(sz(lt_vec128_scale_count(n, k)));
  d_d.poison();
  launch_fp8_quant_transposed_1x128(xa_d.data(), k, m, qa_d.data(), sa_d.data(), nullptr);
  launch_fp8_quant_transposed_1x128(xb_d.data(), k, n, qb_d.data(), sb_d.data(), nullptr);
  LtGemm gemm;
  ASSERT_TRUE(gemm.supports(LtGemmMode::fp8_act_x_act, m, n, k)) << "no cuBLASLt algorithm";
  gemm.run_fp8(LtGemmMode::fp8_act_x_act, qa_d.data(), sa_d.data(), qb_d.data(), sb_d.data(), d_d.data(), m, n, k, nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  const auto qa = qa_d.download(), qb = qb_d.download();
  const auto sa = sa_d.download(), sb = sb_d.download();
  const auto want = gemm_abt_reference(dequant_vec128_reference(qa, sa, m, k), dequant_vec128_reference(qb, sb, n, k), m, n, k);
  // exact: (xa^T)(xb^T)^T
  std::vector<double> at(sz(m) * sz(k)), bt(sz(n) * sz(k));
  for (std::size_t t = 0; t < sz(k); ++t) {
    for (std::size_t i = 0; i < sz(m); ++i) at[i * sz(k) + t] = bf16_to_float(xa[t * sz(m) + i]);
    for (std::size_t j = 0; j < sz(n); ++j) bt[j * sz(k) + t] = bf16_to_float(xb[t * sz(n) + j]);
  }
  const auto exact = gemm_abt_reference(at, bt, m, n, k);
  const auto d = d_d.download();
  const double error = relative_error(d, want);
  const double quant_error = relative_error(d, exact);
  std::printf("  fp8 act x act %dx%dx%d: rel error %.2e vs dequantised product, %.2e vs bf16 product\n", m, n, k, error, quant_error);
  EXPECT_LE(error, kOutputTolerance);
  EXPECT_LE(quant_error, kFp8Tolerance);
}

TEST(LtGemmFp8ActXAct, MatchesDequantisedProduct) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  expect_fp8_act_x_act_matches(256, 384, 512);
  expect_fp8_act_x_act_matches(200, 264, 640);
}

TEST(LtGemmFp8, RejectsUnalignedK) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  LtGemm gemm(0);
  EXPECT_THROW(gemm.supports(LtGemmMode::fp8_act_x_weight, 128, 128, 100), std::invalid_argument);
}

// Which (cuBLAS A, cuBLAS B) scale-mode pairs the heuristic accepts for e4m3 TN,
// with and without scale pointers set, bf16 or fp32 output.
TEST(LtGemmProbe, ReportsSupportedScaleModes) {
  MOEPLAN_SKIP_WITHOUT_GPU();
  cublasLtHandle_t handle = nullptr;
  ASSERT_EQ(cublasLtCreate(&handle), CUBLAS_STATUS_SUCCESS);
  DeviceBuffer<float> dummy_scales(1 << 16);
  struct Mode {
    const char* name_;
    std::int32_t value_;
  };
  const Mode modes[] = {{"SCALAR_32F", CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F},
                        {"OUTER_VEC_32F", CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F},
                        {"VEC128_32F", CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F},
                        {"BLK128x128_32F", CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F},
                        {"VEC32_UE8M0", CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0}};
  const std::uint64_t m = 512, n = 512, k = 512;
  std::size_t workspace = 32u << 20;
  std::printf("  cuBLASLt %zu, e4m3 TN, %llux%llux%llu: algorithms returned, cuBLAS A mode x cuBLAS B mode\n"
              "  [no scale pointers, bf16 out] [scale pointers set, bf16 out] [pointers set, fp32 out]\n",
              cublasLtGetVersion(), static_cast<unsigned long long>(m), static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(k));
  for (const Mode& a_mode : modes)
    for (const Mode& b_mode : modes) {
      int counts[3] = {0, 0, 0};
      for (int variant = 0; variant < 3; ++variant) {
        cublasLtMatmulDesc_t desc = nullptr;
        cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
        cublasLtMatmulPreference_t preference = nullptr;
        ASSERT_EQ(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), CUBLAS_STATUS_SUCCESS);
        const cublasOperation_t t = CUBLAS_OP_T, nop = CUBLAS_OP_N;
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof(t));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &nop, sizeof(nop));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &a_mode.value_, sizeof(std::int32_t));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &b_mode.value_, sizeof(std::int32_t));
        if (variant > 0) {
          const void* pointer = dummy_scales.data();
          cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &pointer, sizeof(pointer));
          cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &pointer, sizeof(pointer));
        }
        cublasLtMatrixLayoutCreate(&a, CUDA_R_8F_E4M3, k, m, static_cast<std::int64_t>(k));
        cublasLtMatrixLayoutCreate(&b, CUDA_R_8F_E4M3, k, n, static_cast<std::int64_t>(k));
        cublasLtMatrixLayoutCreate(&d, variant == 2 ? CUDA_R_32F : CUDA_R_16BF, m, n, static_cast<std::int64_t>(m));
        cublasLtMatmulPreferenceCreate(&preference);
        cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
        cublasLtMatmulHeuristicResult_t results[8] = {};
        int returned = 0;
        const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, d, d, preference, 8, results, &returned);
        counts[variant] = status == CUBLAS_STATUS_SUCCESS ? returned : -static_cast<int>(status);
        cublasLtMatmulPreferenceDestroy(preference);
        cublasLtMatrixLayoutDestroy(d);
        cublasLtMatrixLayoutDestroy(b);
        cublasLtMatrixLayoutDestroy(a);
        cublasLtMatmulDescDestroy(desc);
      }
      std::printf("    A %-15s x B %-15s : %3d %3d %3d\n", a_mode.name_, b_mode.name_, counts[0], counts[1], counts[2]);
    }
  std::printf("  (negative: -cublasStatus_t of the heuristic call, %d = INVALID_VALUE, %d = NOT_SUPPORTED)\n",
              static_cast<int>(CUBLAS_STATUS_INVALID_VALUE), static_cast<int>(CUBLAS_STATUS_NOT_SUPPORTED));
  cublasLtDestroy(handle);
}

}  // namespace
}  // namespace moeplan::kernels
