#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "util/cuda_check.h"
#include "util/fill_random.h"

namespace moeplan::kernels {
namespace {

__device__ __forceinline__ float uniform01(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + i * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

__global__ void fill_bf16_kernel(__nv_bfloat16* data, std::size_t count, std::uint64_t seed,
                                 float lo, float hi) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    data[i] = __float2bfloat16_rn(lo + (hi - lo) * uniform01(seed, i));
}

__global__ void fill_f32_kernel(float* data, std::size_t count, std::uint64_t seed, float lo,
                                float hi) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    data[i] = lo + (hi - lo) * uniform01(seed, i);
}

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 132 * 8;

int blocks_for(std::size_t count) {
  const std::size_t wanted = (count + kThreads - 1) / kThreads;
  return static_cast<int>(wanted < kMaxBlocks ? wanted : kMaxBlocks);
}

}  // namespace

void launch_fill_uniform_bf16(Bf16Bits* data, std::size_t count, std::uint64_t seed, float lo,
                              float hi, cudaStream_t stream) {
  if (count == 0) return;
  fill_bf16_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
      reinterpret_cast<__nv_bfloat16*>(data), count, seed, lo, hi);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

void launch_fill_uniform_f32(float* data, std::size_t count, std::uint64_t seed, float lo,
                             float hi, cudaStream_t stream) {
  if (count == 0) return;
  fill_f32_kernel<<<blocks_for(count), kThreads, 0, stream>>>(data, count, seed, lo, hi);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
