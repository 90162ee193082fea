// Grouped SwiGLU FFN: cuBLAS for the two projections, one elementwise kernel
// for the activation.
//
//   phase 1  gate/up : per expert, h_e[rows_e, 2I] = x_e[rows_e, H] . w13_e^T
//   phase 2  swiglu  : act[rows, I] = silu(h[:, :I]) * h[:, I:], all rows at once
//   phase 3  down    : per expert, y_e[rows_e, H] = act_e[rows_e, I] . w2_e^T
//
// cuBLAS is column-major; a row-major [rows, cols] matrix is its transpose, so
// C_rowmajor = A_rowmajor . W^T becomes C^T = W . A^T: gemm(T, N, m=out, n=rows, k=in)
// with W (ld=in), A (ld=in) and C (ld=out). Both operands are K-major (TN), the
// layout cuBLAS's Hopper kernels prefer.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "expert_ffn/grouped_swiglu_ffn.h"
#include "util/cuda_check.h"

#define MOEPLAN_CUBLAS_CHECK(call)                                                     \
  do {                                                                                 \
    const cublasStatus_t moeplan_blas_status_ = (call);                                \
    if (moeplan_blas_status_ != CUBLAS_STATUS_SUCCESS)                                 \
      ::moeplan::kernels::throw_invalid_argument(                                      \
          std::string(#call " failed: ") + cublasGetStatusName(moeplan_blas_status_) + \
              " (" + cublasGetStatusString(moeplan_blas_status_) + ")",                \
          __FILE__, __LINE__);                                                         \
  } while (0)

namespace moeplan::kernels {
namespace {

constexpr int kSwigluThreads = 256;
constexpr int kPointerArrays = 6;  // gate/up A, B, C and down A, B, C

__device__ __forceinline__ float silu(float g) { return g / (1.0f + expf(-g)); }

__global__ void __launch_bounds__(kSwigluThreads)
    sm90_bf16_swiglu_kernel(const uint4* __restrict__ h, std::int64_t rows, int chunks_per_half,
                            uint4* __restrict__ act) {
  const std::int64_t total = rows * chunks_per_half;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
       i < total; i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t r = i / chunks_per_half;
    const int j = static_cast<int>(i - r * chunks_per_half);
    const uint4 gate_chunk = __ldg(h + r * 2 * chunks_per_half + j);
    const uint4 up_chunk = __ldg(h + r * 2 * chunks_per_half + chunks_per_half + j);
    const __nv_bfloat162* gate = reinterpret_cast<const __nv_bfloat162*>(&gate_chunk);
    const __nv_bfloat162* up = reinterpret_cast<const __nv_bfloat162*>(&up_chunk);
    uint4 result;
    __nv_bfloat162* out = reinterpret_cast<__nv_bfloat162*>(&result);
#pragma unroll
    for (int p = 0; p < 4; ++p) {
      const float2 g = __bfloat1622float2(gate[p]);
      const float2 u = __bfloat1622float2(up[p]);
      out[p] = __floats2bfloat162_rn(silu(g.x) * u.x, silu(g.y) * u.y);
    }
    act[i] = result;
  }
}

std::size_t align_up(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

}  // namespace

void launch_swiglu(const Bf16Bits* h, std::int64_t rows, int intermediate, Bf16Bits* act,
                   cudaStream_t stream) {
  MOEPLAN_REQUIRE(intermediate > 0 && intermediate % 8 == 0,
                  "intermediate " + std::to_string(intermediate) + " must be a positive multiple of 8");
  if (rows <= 0) return;
  const std::int64_t chunks = rows * (intermediate / 8);
  const std::int64_t wanted_blocks = (chunks + kSwigluThreads - 1) / kSwigluThreads;
  const int blocks = static_cast<int>(wanted_blocks < 132 * 16 ? wanted_blocks : 132 * 16);
  sm90_bf16_swiglu_kernel<<<blocks, kSwigluThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(h), rows, intermediate / 8, reinterpret_cast<uint4*>(act));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

GroupedSwigluFfn::GroupedSwigluFfn(int hidden, int intermediate, int max_experts,
                                   int num_streams)
    : hidden_(hidden), intermediate_(intermediate), max_experts_(max_experts) {
  MOEPLAN_REQUIRE(num_streams >= 1 && num_streams <= 16,
                  "num_streams " + std::to_string(num_streams) + " must be in [1, 16]");
  MOEPLAN_REQUIRE(hidden > 0 && hidden % 8 == 0 && intermediate > 0 && intermediate % 8 == 0,
                  "hidden " + std::to_string(hidden) + " and intermediate " +
                      std::to_string(intermediate) + " must be positive multiples of 8");
  MOEPLAN_REQUIRE(max_experts >= 1, "max_experts must be >= 1");
  cublasHandle_t handle = nullptr;
  MOEPLAN_CUBLAS_CHECK(cublasCreate(&handle));
  cublas_ = handle;
  MOEPLAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&device_pointer_table_),
                                sizeof(void*) * kPointerArrays * max_experts_));
  host_pointer_table_.resize(static_cast<std::size_t>(kPointerArrays * max_experts_));
  MOEPLAN_CUDA_CHECK(cudaEventCreateWithFlags(&fork_event_, cudaEventDisableTiming));
  for (int e = 0; e < max_experts_; ++e) {
    cudaEvent_t up_done = nullptr, act_ready = nullptr;
    MOEPLAN_CUDA_CHECK(cudaEventCreateWithFlags(&up_done, cudaEventDisableTiming));
    MOEPLAN_CUDA_CHECK(cudaEventCreateWithFlags(&act_ready, cudaEventDisableTiming));
    up_done_events_.push_back(up_done);
    act_ready_events_.push_back(act_ready);
  }
  for (int s = 0; s < num_streams; ++s) {
    cudaStream_t side = nullptr;
    MOEPLAN_CUDA_CHECK(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
    side_streams_.push_back(side);
    cublasHandle_t side_handle = nullptr;
    MOEPLAN_CUBLAS_CHECK(cublasCreate(&side_handle));
    MOEPLAN_CUBLAS_CHECK(cublasSetStream(side_handle, side));
    side_handles_.push_back(side_handle);
    cudaEvent_t join = nullptr;
    MOEPLAN_CUDA_CHECK(cudaEventCreateWithFlags(&join, cudaEventDisableTiming));
    join_events_.push_back(join);
  }
}

GroupedSwigluFfn::~GroupedSwigluFfn() {
  for (auto* handle : side_handles_) (void)cublasDestroy(handle);
  for (auto side : side_streams_) (void)cudaStreamDestroy(side);
  for (auto join : join_events_) (void)cudaEventDestroy(join);
  for (auto event : up_done_events_) (void)cudaEventDestroy(event);
  for (auto event : act_ready_events_) (void)cudaEventDestroy(event);
  if (fork_event_ != nullptr) (void)cudaEventDestroy(fork_event_);
  if (device_pointer_table_ != nullptr) (void)cudaFree(device_pointer_table_);
  if (cublas_ != nullptr) (void)cublasDestroy(cublas_);
}

std::size_t GroupedSwigluFfn::workspace_bytes(std::int64_t total_rows) const {
  const auto rows = static_cast<std::size_t>(total_rows);
  return align_up(rows * 2 * intermediate_ * sizeof(Bf16Bits)) +
         align_up(rows * intermediate_ * sizeof(Bf16Bits));
}

void GroupedSwigluFfn::run(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
                           const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped,
                           void* workspace, ExpertGemmPath path, cudaStream_t stream) {
  MOEPLAN_REQUIRE(static_cast<int>(expert_rows.size()) <= max_experts_,
                  std::to_string(expert_rows.size()) + " experts exceed max_experts " +
                      std::to_string(max_experts_));
  std::int64_t total_rows = 0;
  for (const std::int32_t rows : expert_rows) {
    MOEPLAN_REQUIRE(rows >= 0, "expert row counts must be >= 0, got " + std::to_string(rows));
    total_rows += rows;
  }
  if (total_rows == 0) return;
  auto* h = static_cast<Bf16Bits*>(workspace);
  auto* act = reinterpret_cast<Bf16Bits*>(
      static_cast<char*>(workspace) +
      align_up(static_cast<std::size_t>(total_rows) * 2 * intermediate_ * sizeof(Bf16Bits)));
  MOEPLAN_CUBLAS_CHECK(cublasSetStream(cublas_, stream));
  switch (path) {
    case ExpertGemmPath::grouped_batched:
      run_grouped(x_grouped, expert_rows, w13, w2, y_grouped, h, act, stream);
      break;
    case ExpertGemmPath::per_expert_loop:
      run_per_expert(x_grouped, expert_rows, w13, w2, y_grouped, h, act, stream);
      break;
    case ExpertGemmPath::per_expert_pipelined:
      run_per_expert_pipelined(x_grouped, expert_rows, w13, w2, y_grouped, h, act, stream);
      break;
    case ExpertGemmPath::per_expert_streams:
      run_per_expert_streams(x_grouped, expert_rows, w13, w2, y_grouped, h, act, stream);
      break;
  }
}

void GroupedSwigluFfn::run_one_expert(cublasContext* handle, const Bf16Bits* x,
                                      const Bf16Bits* w13_e, const Bf16Bits* w2_e, Bf16Bits* y,
                                      Bf16Bits* h, Bf16Bits* act, int rows, cudaStream_t stream) {
  const float alpha = 1.0f, beta = 0.0f;
  MOEPLAN_CUBLAS_CHECK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, 2 * intermediate_, rows,
                                    hidden_, &alpha, w13_e, CUDA_R_16BF, hidden_, x, CUDA_R_16BF,
                                    hidden_, &beta, h, CUDA_R_16BF, 2 * intermediate_,
                                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  launch_swiglu(h, rows, intermediate_, act, stream);
  MOEPLAN_CUBLAS_CHECK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, hidden_, rows,
                                    intermediate_, &alpha, w2_e, CUDA_R_16BF, intermediate_, act,
                                    CUDA_R_16BF, intermediate_, &beta, y, CUDA_R_16BF, hidden_,
                                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

// Software pipeline over the non-empty experts i = 0, 1, ...:
//   main stream : up(0) up(1) down(0) up(2) down(1) ... down(n-1)
//   side stream :      act(0)     act(1)      act(2) ...
// down(i) waits for act(i); act(i) waits for up(i). The GEMMs keep the tensor
// cores busy while the memory-bound SwiGLU runs beside them.
void GroupedSwigluFfn::run_per_expert_pipelined(const Bf16Bits* x_grouped,
                                                std::span<const std::int32_t> expert_rows,
                                                const Bf16Bits* w13, const Bf16Bits* w2,
                                                Bf16Bits* y_grouped, Bf16Bits* h, Bf16Bits* act,
                                                cudaStream_t stream) {
  const auto H = static_cast<std::size_t>(hidden_);
  const auto I = static_cast<std::size_t>(intermediate_);
  const float alpha = 1.0f, beta = 0.0f;
  cudaStream_t side = side_streams_.front();
  struct Segment {
    std::size_t expert_;
    std::size_t row_;
    int rows_;
  };
  std::vector<Segment> segments;
  std::size_t row = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {
    if (expert_rows[e] > 0) segments.push_back({e, row, expert_rows[e]});
    row += static_cast<std::size_t>(expert_rows[e]);
  }
  auto up = [&](const Segment& s) {
    MOEPLAN_CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, 2 * intermediate_, s.rows_,
                                      hidden_, &alpha, w13 + s.expert_ * 2 * I * H, CUDA_R_16BF,
                                      hidden_, x_grouped + s.row_ * H, CUDA_R_16BF, hidden_, &beta,
                                      h + s.row_ * 2 * I, CUDA_R_16BF, 2 * intermediate_,
                                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  };
  auto down = [&](const Segment& s) {
    MOEPLAN_CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, hidden_, s.rows_,
                                      intermediate_, &alpha, w2 + s.expert_ * H * I, CUDA_R_16BF,
                                      intermediate_, act + s.row_ * I, CUDA_R_16BF, intermediate_,
                                      &beta, y_grouped + s.row_ * H, CUDA_R_16BF, hidden_,
                                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    up(segments[i]);
    MOEPLAN_CUDA_CHECK(cudaEventRecord(up_done_events_[i], stream));
    MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(side, up_done_events_[i], 0));
    launch_swiglu(h + segments[i].row_ * 2 * I, segments[i].rows_, intermediate_,
                  act + segments[i].row_ * I, side);
    MOEPLAN_CUDA_CHECK(cudaEventRecord(act_ready_events_[i], side));
    if (i >= 1) {
      MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(stream, act_ready_events_[i - 1], 0));
      down(segments[i - 1]);
    }
  }
  if (!segments.empty()) {
    MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(stream, act_ready_events_[segments.size() - 1], 0));
    down(segments.back());
  }
}

void GroupedSwigluFfn::run_per_expert_streams(const Bf16Bits* x_grouped,
                                              std::span<const std::int32_t> expert_rows,
                                              const Bf16Bits* w13, const Bf16Bits* w2,
                                              Bf16Bits* y_grouped, Bf16Bits* h, Bf16Bits* act,
                                              cudaStream_t stream) {
  const auto H = static_cast<std::size_t>(hidden_);
  const auto I = static_cast<std::size_t>(intermediate_);
  const std::size_t num_side = side_streams_.size();
  // Fork: every side stream waits for the work already queued on `stream`.
  MOEPLAN_CUDA_CHECK(cudaEventRecord(fork_event_, stream));
  for (auto side : side_streams_) MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(side, fork_event_, 0));
  std::size_t row = 0, issued = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {
    const int rows = expert_rows[e];
    if (rows > 0) {
      const std::size_t s = issued++ % num_side;
      run_one_expert(side_handles_[s], x_grouped + row * H, w13 + e * 2 * I * H, w2 + e * H * I,
                     y_grouped + row * H, h + row * 2 * I, act + row * I, rows, side_streams_[s]);
    }
    row += static_cast<std::size_t>(rows);
  }
  // Join: `stream` continues only after every side stream's work.
  for (std::size_t s = 0; s < num_side; ++s) {
    MOEPLAN_CUDA_CHECK(cudaEventRecord(join_events_[s], side_streams_[s]));
    MOEPLAN_CUDA_CHECK(cudaStreamWaitEvent(stream, join_events_[s], 0));
  }
}

void GroupedSwigluFfn::run_per_expert(const Bf16Bits* x_grouped,
                                      std::span<const std::int32_t> expert_rows,
                                      const Bf16Bits* w13, const Bf16Bits* w2,
                                      Bf16Bits* y_grouped, Bf16Bits* h, Bf16Bits* act,
                                      cudaStream_t stream) {
  const float alpha = 1.0f, beta = 0.0f;
  const auto H = static_cast<std::size_t>(hidden_);
  const auto I = static_cast<std::size_t>(intermediate_);
  std::size_t row = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {  // phase 1: gate/up
    const int rows = expert_rows[e];
    if (rows > 0)
      MOEPLAN_CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, 2 * intermediate_, rows,
                                        hidden_, &alpha, w13 + e * 2 * I * H, CUDA_R_16BF, hidden_,
                                        x_grouped + row * H, CUDA_R_16BF, hidden_, &beta,
                                        h + row * 2 * I, CUDA_R_16BF, 2 * intermediate_,
                                        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    row += static_cast<std::size_t>(rows);
  }
  launch_swiglu(h, static_cast<std::int64_t>(row), intermediate_, act, stream);  // phase 2
  row = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {  // phase 3: down
    const int rows = expert_rows[e];
    if (rows > 0)
      MOEPLAN_CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, hidden_, rows,
                                        intermediate_, &alpha, w2 + e * H * I, CUDA_R_16BF,
                                        intermediate_, act + row * I, CUDA_R_16BF, intermediate_,
                                        &beta, y_grouped + row * H, CUDA_R_16BF, hidden_,
                                        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    row += static_cast<std::size_t>(rows);
  }
}

void GroupedSwigluFfn::run_grouped(const Bf16Bits* x_grouped,
                                   std::span<const std::int32_t> expert_rows,
                                   const Bf16Bits* w13, const Bf16Bits* w2, Bf16Bits* y_grouped,
                                   Bf16Bits* h, Bf16Bits* act, cudaStream_t stream) {
  const auto H = static_cast<std::size_t>(hidden_);
  const auto I = static_cast<std::size_t>(intermediate_);
  const auto E = static_cast<std::size_t>(max_experts_);
  // One group of one problem per non-empty expert.
  std::vector<int> m_up, n_rows, k_up, m_down, k_down, lda_up, ldc_up, lda_down, ldc_down, ones;
  std::vector<cublasOperation_t> trans_a, trans_b;
  std::vector<float> alphas, betas;
  int groups = 0;
  std::size_t row = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {
    const int rows = expert_rows[e];
    if (rows > 0) {
      const auto g = static_cast<std::size_t>(groups);
      host_pointer_table_[0 * E + g] = w13 + e * 2 * I * H;      // gate/up A
      host_pointer_table_[1 * E + g] = x_grouped + row * H;      // gate/up B
      host_pointer_table_[2 * E + g] = h + row * 2 * I;          // gate/up C
      host_pointer_table_[3 * E + g] = w2 + e * H * I;           // down A
      host_pointer_table_[4 * E + g] = act + row * I;            // down B
      host_pointer_table_[5 * E + g] = y_grouped + row * H;      // down C
      n_rows.push_back(rows);
      ++groups;
    }
    row += static_cast<std::size_t>(rows);
  }
  const auto G = static_cast<std::size_t>(groups);
  m_up.assign(G, 2 * intermediate_);
  k_up.assign(G, hidden_);
  lda_up.assign(G, hidden_);
  ldc_up.assign(G, 2 * intermediate_);
  m_down.assign(G, hidden_);
  k_down.assign(G, intermediate_);
  lda_down.assign(G, intermediate_);
  ldc_down.assign(G, hidden_);
  ones.assign(G, 1);
  trans_a.assign(G, CUBLAS_OP_T);
  trans_b.assign(G, CUBLAS_OP_N);
  alphas.assign(G, 1.0f);
  betas.assign(G, 0.0f);
  // Pageable source: the copy is staged before cudaMemcpyAsync returns, so the
  // host table may be rewritten by the next call.
  MOEPLAN_CUDA_CHECK(cudaMemcpyAsync(device_pointer_table_, host_pointer_table_.data(),
                                     sizeof(void*) * kPointerArrays * E, cudaMemcpyHostToDevice,
                                     stream));
  void** table = device_pointer_table_;
  MOEPLAN_CUBLAS_CHECK(cublasGemmGroupedBatchedEx(
      cublas_, trans_a.data(), trans_b.data(), m_up.data(), n_rows.data(), k_up.data(),
      alphas.data(), table + 0 * E, CUDA_R_16BF, lda_up.data(), table + 1 * E, CUDA_R_16BF,
      k_up.data(), betas.data(), table + 2 * E, CUDA_R_16BF, ldc_up.data(), groups, ones.data(),
      CUBLAS_COMPUTE_32F));
  launch_swiglu(h, static_cast<std::int64_t>(row), intermediate_, act, stream);
  MOEPLAN_CUBLAS_CHECK(cublasGemmGroupedBatchedEx(
      cublas_, trans_a.data(), trans_b.data(), m_down.data(), n_rows.data(), k_down.data(),
      alphas.data(), table + 3 * E, CUDA_R_16BF, lda_down.data(), table + 4 * E, CUDA_R_16BF,
      k_down.data(), betas.data(), table + 5 * E, CUDA_R_16BF, ldc_down.data(), groups,
      ones.data(), CUBLAS_COMPUTE_32F));
}

}  // namespace moeplan::kernels
