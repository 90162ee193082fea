// LtGemm: cuBLASLt matmul plans (descriptors + heuristic algorithm) cached per
// shape; each run sets the scale pointers on the cached descriptor and enqueues.
#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <string>

#include "gemm/lt_gemm.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

void check_lt(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw_invalid_argument(std::string(call) + " failed: " + cublasLtGetStatusName(status) + " (" +
                               cublasLtGetStatusString(status) + ")",
                           file, line);
}
#define MOEPLAN_LT_CHECK(call) check_lt((call), #call, __FILE__, __LINE__)

template <typename T>
void set_desc(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute, const T& value) {
  MOEPLAN_LT_CHECK(cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof(value)));
}

bool is_fp8(LtGemmMode mode) { return mode != LtGemmMode::bf16; }

}  // namespace

struct LtGemm::Plan {
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr;  // cuBLAS A = our B
  cublasLtMatrixLayout_t b_ = nullptr;  // cuBLAS B = our A
  cublasLtMatrixLayout_t d_ = nullptr;  // C and D
  cublasLtMatmulAlgo_t algo_{};
  bool found_ = false;
  ~Plan() {
    if (d_ != nullptr) (void)cublasLtMatrixLayoutDestroy(d_);
    if (b_ != nullptr) (void)cublasLtMatrixLayoutDestroy(b_);
    if (a_ != nullptr) (void)cublasLtMatrixLayoutDestroy(a_);
    if (desc_ != nullptr) (void)cublasLtMatmulDescDestroy(desc_);
  }
};

LtGemm::LtGemm(std::size_t workspace_bytes) : workspace_bytes_(workspace_bytes) {
  MOEPLAN_LT_CHECK(cublasLtCreate(&handle_));
  if (workspace_bytes_ > 0) MOEPLAN_CUDA_CHECK(cudaMalloc(&workspace_, workspace_bytes_));
  MOEPLAN_CUDA_CHECK(cudaMalloc(&placeholder_scales_, 256));
}

LtGemm::~LtGemm() {
  plans_.clear();
  if (workspace_ != nullptr) (void)cudaFree(workspace_);
  if (placeholder_scales_ != nullptr) (void)cudaFree(placeholder_scales_);
  if (handle_ != nullptr) (void)cublasLtDestroy(handle_);
}

LtGemm::Plan* LtGemm::plan_for(LtGemmMode mode, int m, int n, int k, bool accumulate) {
  const Key key{static_cast<int>(mode), m, n, k, accumulate};
  if (auto it = plans_.find(key); it != plans_.end()) return it->second.get();
  MOEPLAN_REQUIRE(m > 0 && n > 0 && k > 0, "need positive m, n, k, got " + std::to_string(m) +
                                               ", " + std::to_string(n) + ", " + std::to_string(k));
  MOEPLAN_REQUIRE(k % 16 == 0 && n % 8 == 0,
                  "need k % 16 == 0 and n % 8 == 0 (16-byte rows), got n " + std::to_string(n) +
                      ", k " + std::to_string(k));
  auto plan = std::make_unique<Plan>();
  const cudaDataType_t in_type = is_fp8(mode) ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  MOEPLAN_LT_CHECK(cublasLtMatmulDescCreate(&plan->desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T);
  set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N);
  if (is_fp8(mode)) {
    const std::int32_t weight_mode = mode == LtGemmMode::fp8_act_x_weight
                                         ? CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F
                                         : CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
    const std::int32_t act_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
    set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, weight_mode);  // our B
    set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, act_mode);     // our A
    // The heuristic rejects block scale modes (CUBLAS_STATUS_INVALID_VALUE) while the
    // scale pointers are null; placeholders here, the real ones are set at each run.
    set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, static_cast<const void*>(placeholder_scales_));
    set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, static_cast<const void*>(placeholder_scales_));
  }
  MOEPLAN_LT_CHECK(cublasLtMatrixLayoutCreate(&plan->a_, in_type, static_cast<std::uint64_t>(k),
                                              static_cast<std::uint64_t>(n), k));
  MOEPLAN_LT_CHECK(cublasLtMatrixLayoutCreate(&plan->b_, in_type, static_cast<std::uint64_t>(k),
                                              static_cast<std::uint64_t>(m), k));
  MOEPLAN_LT_CHECK(cublasLtMatrixLayoutCreate(&plan->d_, CUDA_R_16BF, static_cast<std::uint64_t>(n),
                                              static_cast<std::uint64_t>(m), n));
  cublasLtMatmulPreference_t preference = nullptr;
  MOEPLAN_LT_CHECK(cublasLtMatmulPreferenceCreate(&preference));
  MOEPLAN_LT_CHECK(cublasLtMatmulPreferenceSetAttribute(
      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes_, sizeof(workspace_bytes_)));
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      handle_, plan->desc_, plan->a_, plan->b_, plan->d_, plan->d_, preference, 1, &result, &returned);
  (void)cublasLtMatmulPreferenceDestroy(preference);
  plan->found_ = status == CUBLAS_STATUS_SUCCESS && returned > 0;
  if (plan->found_) plan->algo_ = result.algo;
  (void)accumulate;  // beta is passed at run time; the key keeps the two apart anyway
  return plans_.emplace(key, std::move(plan)).first->second.get();
}

bool LtGemm::supports(LtGemmMode mode, int m, int n, int k) {
  return plan_for(mode, m, n, k, false)->found_;
}

void LtGemm::enqueue(Plan& plan, const void* a, const void* b, Bf16Bits* d, bool accumulate,
                     cudaStream_t stream) {
  const float alpha = 1.0f;
  const float beta = accumulate ? 1.0f : 0.0f;
  // cuBLAS A is our B, cuBLAS B is our A.
  MOEPLAN_LT_CHECK(cublasLtMatmul(handle_, plan.desc_, &alpha, b, plan.a_, a, plan.b_, &beta, d,
                                  plan.d_, d, plan.d_, &plan.algo_, workspace_, workspace_bytes_,
                                  stream));
}

void LtGemm::run_bf16(const Bf16Bits* a, const Bf16Bits* b, Bf16Bits* d, int m, int n, int k,
                      cudaStream_t stream, bool accumulate) {
  Plan* plan = plan_for(LtGemmMode::bf16, m, n, k, accumulate);
  MOEPLAN_REQUIRE(plan->found_, "cuBLASLt has no BF16 algorithm for m " + std::to_string(m) +
                                    ", n " + std::to_string(n) + ", k " + std::to_string(k));
  enqueue(*plan, a, b, d, accumulate, stream);
}

void LtGemm::run_fp8(LtGemmMode mode, const E4m3Bits* a, const float* a_scales, const E4m3Bits* b,
                     const float* b_scales, Bf16Bits* d, int m, int n, int k, cudaStream_t stream,
                     bool accumulate) {
  MOEPLAN_REQUIRE(is_fp8(mode), "run_fp8 needs an fp8 mode (fp8_act_x_weight or fp8_act_x_act)");
  MOEPLAN_REQUIRE(a_scales != nullptr && b_scales != nullptr, "fp8 GEMM needs both scale tensors");
  Plan* plan = plan_for(mode, m, n, k, accumulate);
  MOEPLAN_REQUIRE(plan->found_,
                  std::string("cuBLASLt has no FP8 block-scaled algorithm (") +
                      (mode == LtGemmMode::fp8_act_x_weight ? "BLK128x128 x VEC128" : "VEC128 x VEC128") +
                      ") for m " + std::to_string(m) + ", n " + std::to_string(n) + ", k " +
                      std::to_string(k) + " on this GPU");
  set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, static_cast<const void*>(b_scales));
  set_desc(plan->desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, static_cast<const void*>(a_scales));
  enqueue(*plan, a, b, d, accumulate, stream);
}

}  // namespace moeplan::kernels
