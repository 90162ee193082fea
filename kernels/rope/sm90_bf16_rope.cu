// RoPE in place (rope.h): one thread per 16-byte chunk (4 interleaved pairs) of a
// head's rope slice, grid-stride over rows x heads x chunks; angles in fp32 with
// the accurate sincosf (arguments reach seq_len radians).
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <string>

#include "rope/rope.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    sm90_bf16_rope_kernel(__nv_bfloat16* __restrict__ x, std::int64_t rows, std::int64_t row_stride,
                          int heads, int head_dim, int rope_dim, int seq_len,
                          float log2_theta_base, float sign) {
  const int chunks_per_head = rope_dim / 8;
  const std::int64_t chunks_per_row = static_cast<std::int64_t>(heads) * chunks_per_head;
  const std::int64_t total = rows * chunks_per_row;
  for (std::int64_t item = blockIdx.x * static_cast<std::int64_t>(kThreads) + threadIdx.x; item < total;
       item += static_cast<std::int64_t>(gridDim.x) * kThreads) {
    const std::int64_t r = item / chunks_per_row;
    const int rest = static_cast<int>(item - r * chunks_per_row);
    const int h = rest / chunks_per_head;
    const int chunk = rest - h * chunks_per_head;
    uint4* address = reinterpret_cast<uint4*>(x + r * row_stride + static_cast<std::int64_t>(h) * head_dim +
                                              (head_dim - rope_dim) + chunk * 8);
    uint4 data = *address;
    __nv_bfloat162* pairs = reinterpret_cast<__nv_bfloat162*>(&data);
    const auto position = static_cast<float>(r % seq_len);
#pragma unroll
    for (int p = 0; p < 4; ++p) {
      const int i = chunk * 4 + p;  // pair index in the rope slice
      const float theta = exp2f(-static_cast<float>(2 * i) / static_cast<float>(rope_dim) * log2_theta_base);
      float s, c;
      sincosf(sign * position * theta, &s, &c);
      const float2 v = __bfloat1622float2(pairs[p]);
      pairs[p] = __floats2bfloat162_rn(v.x * c - v.y * s, v.x * s + v.y * c);
    }
    *address = data;
  }
}

}  // namespace

void launch_rope_inplace(Bf16Bits* x, std::int64_t rows, std::int64_t row_stride, int heads,
                         int head_dim, int rope_dim, int seq_len, float theta_base, bool inverse,
                         cudaStream_t stream) {
  MOEPLAN_REQUIRE(rope_dim > 0 && rope_dim % 8 == 0 && head_dim % 8 == 0 && rope_dim <= head_dim &&
                      row_stride % 8 == 0 && heads > 0 && row_stride >= static_cast<std::int64_t>(heads) * head_dim &&
                      seq_len > 0 && theta_base > 1.0f,
                  "need rope_dim, head_dim, row_stride multiples of 8, rope_dim <= head_dim, row_stride >= "
                  "heads * head_dim, seq_len > 0, theta_base > 1; got rope_dim " + std::to_string(rope_dim) +
                      ", head_dim " + std::to_string(head_dim) + ", heads " + std::to_string(heads) +
                      ", row_stride " + std::to_string(row_stride) + ", seq_len " + std::to_string(seq_len));
  MOEPLAN_REQUIRE(reinterpret_cast<std::uintptr_t>(x) % 16 == 0, "x must be 16-byte aligned");
  if (rows <= 0) return;
  const std::int64_t total = rows * heads * (rope_dim / 8);
  const std::int64_t wanted = (total + kThreads - 1) / kThreads;
  const int blocks = static_cast<int>(wanted < 132 * 32 ? wanted : 132 * 32);
  sm90_bf16_rope_kernel<<<blocks, kThreads, 0, stream>>>(
      reinterpret_cast<__nv_bfloat16*>(x), rows, row_stride, heads, head_dim, rope_dim, seq_len,
      log2f(theta_base), inverse ? -1.0f : 1.0f);
  MOEPLAN_CUDA_CHECK_LAUNCH();
}

}  // namespace moeplan::kernels
