// SwiGLU activation backward (swiglu.h): one thread per 16-byte chunk of d_out
// (8 columns), reading the matching gate and up chunks and writing both halves
// of d_gate_up; grid-stride loop. The forward forwards to launch_swiglu.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "expert_ffn/grouped_swiglu_ffn.h"
#include "swiglu/swiglu.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    sm90_bf16_swiglu_backward_kernel(const uint4* __restrict__ gate_up, const uint4* __restrict__ d_out,
                                     std::int64_t rows, int chunks_per_half,
                                     uint4* __restrict__ d_gate_up) {
  const std::int64_t total = rows * chunks_per_half;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(kThreads) + threadIdx.x; i < total;
       i += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const std::int64_t r = i / chunks_per_half;
    const int j = static_cast<int>(i - r * chunks_per_half);
    const std::int64_t gate_index = r * 2 * chunks_per_half + j;
    const uint4 gate_chunk = __ldg(gate_up + gate_index);
    const uint4 up_chunk = __ldg(gate_up + gate_index + chunks_per_half);
    const uint4 d_chunk = __ldg(d_out + i);
    const __nv_bfloat162* gate = reinterpret_cast<const __nv_bfloat162*>(&gate_chunk);
    const __nv_bfloat162* up = reinterpret_cast<const __nv_bfloat162*>(&up_chunk);
    const __nv_bfloat162* d = reinterpret_cast<const __nv_bfloat162*>(&d_chunk);
    uint4 d_gate_chunk, d_up_chunk;
    __nv_bfloat162* d_gate = reinterpret_cast<__nv_bfloat162*>(&d_gate_chunk);
    __nv_bfloat162* d_up = reinterpret_cast<__nv_bfloat162*>(&d_up_chunk);
#pragma unroll
    for (int p = 0; p < 4; ++p) {
      const float2 g = __bfloat1622float2(gate[p]);
      const float2 u = __bfloat1622float2(up[p]);
      const float2 dv = __bfloat1622float2(d[p]);
      const float s0 = 1.0f / (1.0f + expf(-g.x));
      const float s1 = 1.0f / (1.0f + expf(-g.y));
      d_gate[p] = __floats2bfloat162_rn(dv.x * u.x * s0 * (1.0f + g.x * (1.0f - s0)),
                                        dv.y * u.y * s1 * (1.0f + g.y * (1.0f - s1)));
      d_up[p] = __floats2bfloat162_rn(dv.x * g.x * s0, dv.y * g.y * s1);
    }
    d_gate_up[gate_index] = d_gate_chunk;
    d_gate_up[gate_index + chunks_per_half] = d_up_chunk;
  }
}

}  // namespace

void launch_swiglu_forward(const Bf16Bits* gate_up, std::int64_t rows, int cols, Bf16Bits* out,
                           cudaStream_t stream) {
  launch_swiglu(gate_up, rows, cols, out, stream);
}

void launch_swiglu_backward(const Bf16Bits* gate_up, const Bf16Bits* d_out, std::int64_t rows,
                            int cols, Bf16Bits* d_gate_up, cudaStream_t stream) {
  MOEPLAN_REQUIRE(cols > 0 && cols % 8 == 0, "cols " + std::to_string(cols) + " must be a positive multiple of 8");
  if (rows <= 0) return;
  const std::int64_t chunks = rows * (cols / 8);
  const std::int64_t wanted = (chunks + kThreads - 1) / kThreads;
  const int blocks = static_cast<int>(wanted < 132 * 16 ? wanted : 132 * 16);
  sm90_bf16_swiglu_backward_kernel<<<blocks, kThreads, 0, stream>>>(
      reinterpret_cast<const uint4*>(gate_up), reinterpret_cast<const uint4*>(d_out), rows, cols / 8,
      reinterpret_cast<uint4*>(d_gate_up));
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
