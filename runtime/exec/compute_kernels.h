// The real GPU work behind a compute op's lists (runtime/plan/compute_mapping.h):
// its GEMMs on cuBLASLt (FP8 block-scaled or BF16), its memory-bound kernels
// (program::Kernel, one launch each, kernels/) and its attention core on cuDNN's
// fused attention, or for decode over the latent KV cache on LatentAttention. The rank executor runs ops through it and the kernel profiler
// times through it, so what the profile measured is what a program runs.
//
// Operands live in buffers shared by every op and lane (sized by ComputeSizes);
// their contents are random and only timing matters. GEMMs run on a cuBLASLt
// handle per lane (one lane per program stream: a handle's workspace is not
// shared by GEMMs that may overlap).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"
#include "util/device_buffer.h"
#include "runtime/plan/compute_mapping.h"
#include "sim/program/program.h"

namespace moeplan::kernels {
class LtGemm;
class CudnnAttention;
class LatentAttention;
}  // namespace moeplan::kernels

namespace moeplan::runtime {

class ComputeKernels {
 public:
  // Allocates and fills the shared buffers; builds a cuDNN plan per attention
  // shape of `sizes` (throws with cuDNN's answer when no engine takes one).
  ComputeKernels(const ComputeSizes& sizes, int lanes, std::uint64_t seed, cudaStream_t fill_stream);
  ~ComputeKernels();
  ComputeKernels(const ComputeKernels&) = delete;
  ComputeKernels& operator=(const ComputeKernels&) = delete;

  // Everything `op` lists, in list order: GEMMs, memory-bound kernels, attention.
  void run_listed(const program::Op& op, int lane, cudaStream_t s);
  // One GEMM in its launch shape (gemm_launch_shape); FP8 in the scale layout of `pass`.
  void gemm(const program::Gemm& g, bool fp8, program::Pass pass, int lane, cudaStream_t s);
  void kernel(const program::Kernel& k, cudaStream_t s);  // k must be in the sizes given
  // The attention core, forward (F) or backward (any other pass).
  void attention(const program::AttentionShape& a, program::Pass pass, cudaStream_t s);
  // Absorbed-MLA decode attention over the latent cache (forward only).
  void latent_attention(const program::AttentionShape& a, cudaStream_t s);
  // Whether the attention core runs on cuDNN (built with MOEPLAN_HAVE_CUDNN);
  // otherwise attention() runs a BF16 GEMM of its FLOPs.
  static bool has_fused_attention();

 private:
  const std::int32_t* pair_map(std::int64_t pairs) const;
  ComputeSizes z_;
  std::vector<std::unique_ptr<kernels::LtGemm>> lt_;  // by lane
  kernels::DeviceBuffer<kernels::Bf16Bits> a_, b_, d_;
  kernels::DeviceBuffer<kernels::E4m3Bits> a8_, b8_;
  kernels::DeviceBuffer<float> a_scales_, b_scales_;
  kernels::DeviceBuffer<kernels::Bf16Bits> x_, y_, dy_, norm_w_;
  kernels::DeviceBuffer<kernels::E4m3Bits> q8_;
  kernels::DeviceBuffer<float> q_scales_, rstd_, dw_, topk_weight_;
  std::map<std::int64_t, kernels::DeviceBuffer<std::int32_t>> pair_to_row_;  // by pairs: a permutation of [0, pairs)
  kernels::DeviceBuffer<unsigned char> norm_ws_;
  kernels::DeviceBuffer<kernels::Bf16Bits> q_, k_, v_, o_, d_o_, d_q_, d_k_, d_v_;
  kernels::DeviceBuffer<float> stats_;
  kernels::DeviceBuffer<kernels::Bf16Bits> latent_q_, latent_cache_, latent_o_;
  using ShapeKey = std::tuple<int, int, int, int, int, int>;  // sequences, length, heads, qk, v, cached
  std::map<ShapeKey, std::unique_ptr<kernels::CudnnAttention>> attention_;
  std::map<ShapeKey, std::unique_ptr<kernels::LatentAttention>> latent_;
};

}  // namespace moeplan::runtime
