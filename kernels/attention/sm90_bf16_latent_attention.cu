// LatentAttention (latent_attention.h): cuBLAS strided-batched GEMMs around a
// row softmax.
//
// cuBLAS is column-major; a row-major [rows x cols] matrix is its column-major
// [cols x rows] transpose. Per sequence:
//   S^T [kv x R]    = C (as [latent x kv])^T . Q (as [latent x R])    (op T, N)
//   O^T [v_dim x R] = C[:v_dim] (as [v_dim x kv], ld latent) . P^T (as [kv x R])  (op N, N)
// Softmax: one 256-thread block per query row; pass 1 the row maximum, pass 2
// the sum of exponentials, pass 3 writes P in BF16 (zero past the row's last
// key, so the second GEMM's padded columns add nothing).
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cfloat>
#include <string>

#include "attention/latent_attention.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 256;

void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("latent attention: ") + what + " failed: " + cublasGetStatusString(status));
}

__device__ float block_reduce(float v, bool take_max, float* shared) {
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other = __shfl_xor_sync(0xffffffffu, v, offset);
    v = take_max ? fmaxf(v, other) : v + other;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kThreads / 32 ? shared[lane] : (take_max ? -FLT_MAX : 0.0f);
    for (int offset = 16; offset > 0; offset /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, v, offset);
      v = take_max ? fmaxf(v, other) : v + other;
    }
    if (lane == 0) shared[0] = v;
  }
  __syncthreads();
  const float out = shared[0];
  __syncthreads();
  return out;
}

// Row r of sequence b: new token j = (r / heads) sees keys 0 .. kv - seq + j.
__global__ void latent_softmax(const float* __restrict__ scores, __nv_bfloat16* __restrict__ probs,
                               int rows_per_sequence, int heads, int seq, int kv, long long ld, float scale) {
  __shared__ float shared[kThreads / 32];
  const long long row = blockIdx.x;
  const int j = static_cast<int>(row % rows_per_sequence) / heads;
  const int keys = kv - seq + j + 1;
  const float* s = scores + row * ld;
  __nv_bfloat16* p = probs + row * ld;
  float m = -FLT_MAX;
  for (int c = threadIdx.x; c < keys; c += kThreads) m = fmaxf(m, s[c]);
  m = block_reduce(m, true, shared);
  float sum = 0.0f;
  for (int c = threadIdx.x; c < keys; c += kThreads) sum += __expf(scale * (s[c] - m));
  sum = block_reduce(sum, false, shared);
  const float inv = 1.0f / sum;
  for (long long c = threadIdx.x; c < ld; c += kThreads)
    p[c] = __float2bfloat16(c < keys ? __expf(scale * (s[c] - m)) * inv : 0.0f);
}

}  // namespace

LatentAttention::LatentAttention(const LatentAttentionShape& shape) : shape_(shape) {
  MOEPLAN_REQUIRE(shape.batch_ >= 1 && shape.seq_ >= 1 && shape.heads_ >= 1 && shape.kv_ >= shape.seq_,
                  "batch " + std::to_string(shape.batch_) + ", seq " + std::to_string(shape.seq_) + ", heads " +
                      std::to_string(shape.heads_) + ", kv " + std::to_string(shape.kv_) +
                      ": need at least one of each and kv >= seq");
  MOEPLAN_REQUIRE(shape.latent_dim_ % 8 == 0 && shape.v_dim_ % 8 == 0 && shape.v_dim_ <= shape.latent_dim_,
                  "latent_dim " + std::to_string(shape.latent_dim_) + " and v_dim " + std::to_string(shape.v_dim_) +
                      " must be multiples of 8, v_dim <= latent_dim");
  check_cublas(cublasCreate(&handle_), "cublasCreate");
  const auto cells = static_cast<std::size_t>(shape.batch_) * static_cast<std::size_t>(shape.rows()) *
                     static_cast<std::size_t>(shape.score_ld());
  MOEPLAN_CUDA_CHECK(cudaMalloc(&scores_, cells * sizeof(float)));
  MOEPLAN_CUDA_CHECK(cudaMalloc(&probs_, cells * sizeof(Bf16Bits)));
  workspace_bytes_ = cells * (sizeof(float) + sizeof(Bf16Bits));
}

LatentAttention::~LatentAttention() {
  if (scores_ != nullptr) (void)cudaFree(scores_);
  if (probs_ != nullptr) (void)cudaFree(probs_);
  if (handle_ != nullptr) (void)cublasDestroy(handle_);
}

void LatentAttention::forward(const Bf16Bits* q, const Bf16Bits* cache, Bf16Bits* o, cudaStream_t stream) {
  const auto& s = shape_;
  const long long r = s.rows(), ld = s.score_ld(), kv = s.kv_, d = s.latent_dim_;
  const float one = 1.0f, zero = 0.0f;
  check_cublas(cublasSetStream(handle_, stream), "cublasSetStream");
  check_cublas(cublasGemmStridedBatchedEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, s.kv_, static_cast<int>(r), s.latent_dim_,
                                          &one, cache, CUDA_R_16BF, s.latent_dim_, kv * d, q, CUDA_R_16BF,
                                          s.latent_dim_, r * d, &zero, scores_, CUDA_R_32F, static_cast<int>(ld),
                                          r * ld, s.batch_, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
               "scores GEMM (cublasGemmStridedBatchedEx)");
  latent_softmax<<<static_cast<unsigned>(s.batch_ * r), kThreads, 0, stream>>>(
      scores_, reinterpret_cast<__nv_bfloat16*>(probs_), static_cast<int>(r), s.heads_, s.seq_, s.kv_, ld, s.scale());
  MOEPLAN_CUDA_CHECK_LAUNCH();
  check_cublas(cublasGemmStridedBatchedEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, s.v_dim_, static_cast<int>(r), s.kv_,
                                          &one, cache, CUDA_R_16BF, s.latent_dim_, kv * d, probs_, CUDA_R_16BF,
                                          static_cast<int>(ld), r * ld, &zero, o, CUDA_R_16BF, s.v_dim_,
                                          r * s.v_dim_, s.batch_, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
               "output GEMM (cublasGemmStridedBatchedEx)");
}

}  // namespace moeplan::kernels
