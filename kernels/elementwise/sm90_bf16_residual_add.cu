// Residual add (residual_add.h): grid-stride over 16-byte chunks (8 bf16), two
// chunks per thread per iteration so two loads of each input are in flight.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "elementwise/residual_add.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ uint4 add8(const uint4& a, const uint4& b) {
  const __nv_bfloat162* x = reinterpret_cast<const __nv_bfloat162*>(&a);
  const __nv_bfloat162* y = reinterpret_cast<const __nv_bfloat162*>(&b);
  uint4 result;
  __nv_bfloat162* out = reinterpret_cast<__nv_bfloat162*>(&result);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 u = __bfloat1622float2(x[i]);
    const float2 v = __bfloat1622float2(y[i]);
    out[i] = __floats2bfloat162_rn(u.x + v.x, u.y + v.y);
  }
  return result;
}

// No __restrict__: out may alias a or b (each element is read before it is written
// by the same thread).
__global__ void __launch_bounds__(kThreads)
    sm90_bf16_residual_add_vec_kernel(const uint4* a, const uint4* b, std::int64_t chunks, uint4* out) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * kThreads;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(kThreads) + threadIdx.x; i < chunks;
       i += 2 * stride) {
    const uint4 a0 = a[i], b0 = b[i];
    const bool second = i + stride < chunks;
    uint4 a1 = a0, b1 = b0;
    if (second) {
      a1 = a[i + stride];
      b1 = b[i + stride];
    }
    out[i] = add8(a0, b0);
    if (second) out[i + stride] = add8(a1, b1);
  }
}

__global__ void sm90_bf16_residual_add_scalar_kernel(const __nv_bfloat16* a, const __nv_bfloat16* b,
                                                     std::int64_t begin, std::int64_t end,
                                                     __nv_bfloat16* out) {
  for (std::int64_t i = begin + blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < end;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    out[i] = __float2bfloat16_rn(__bfloat162float(a[i]) + __bfloat162float(b[i]));
}

int blocks_for(std::int64_t items) {
  const std::int64_t wanted = (items + kThreads - 1) / kThreads;
  return static_cast<int>(wanted < 132 * 8 ? (wanted > 0 ? wanted : 1) : 132 * 8);
}

}  // namespace

void launch_residual_add(const Bf16Bits* a, const Bf16Bits* b, std::int64_t count, Bf16Bits* out,
                         cudaStream_t stream) {
  MOEPLAN_REQUIRE(count >= 0, "count " + std::to_string(count) + " must be >= 0");
  if (count == 0) return;
  const bool aligned = (reinterpret_cast<std::uintptr_t>(a) | reinterpret_cast<std::uintptr_t>(b) |
                        reinterpret_cast<std::uintptr_t>(out)) % 16 == 0;
  std::int64_t done = 0;
  if (aligned && count >= 8) {
    const std::int64_t chunks = count / 8;
    sm90_bf16_residual_add_vec_kernel<<<blocks_for(chunks), kThreads, 0, stream>>>(
        reinterpret_cast<const uint4*>(a), reinterpret_cast<const uint4*>(b), chunks,
        reinterpret_cast<uint4*>(out));
    MOEPLAN_CUDA_CHECK_LAUNCH();
    done = chunks * 8;
  }
  if (done < count) {
    sm90_bf16_residual_add_scalar_kernel<<<blocks_for(count - done), kThreads, 0, stream>>>(
        reinterpret_cast<const __nv_bfloat16*>(a), reinterpret_cast<const __nv_bfloat16*>(b), done, count,
        reinterpret_cast<__nv_bfloat16*>(out));
    MOEPLAN_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace moeplan::kernels
