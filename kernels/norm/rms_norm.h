// RMSNorm over the last dimension, BF16 in/out, FP32 math. CPU reference: rms_norm_reference.h.
//
//   forward  : rstd[r] = 1 / sqrt(mean_c(x[r, c]^2) + eps)          (fp32, kept for backward)
//              y[r, c] = bf16(x[r, c] * rstd[r] * w[c])
//   backward : xhat = x * rstd, g = dy * w
//              dx[r, c] = bf16(rstd[r] * (g[r, c] - xhat[r, c] * mean_c(g[r, :] * xhat[r, :])))
//              dw[c]    = sum_r dy[r, c] * xhat[r, c]                (fp32, deterministic:
//              per-chunk partial sums in the workspace, then a fixed-order sum; no atomics)
// x, y, dy, dx: [rows, cols] row-major dense; w: [cols]; cols % 8 == 0 (16-byte loads).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

inline constexpr float kRmsNormDefaultEps = 1e-6f;

void launch_rms_norm_forward(const Bf16Bits* x, const Bf16Bits* w, std::int64_t rows, int cols,
                             float eps, Bf16Bits* y, float* rstd, cudaStream_t stream);

// Device workspace launch_rms_norm_backward needs for dw's partial sums.
std::size_t rms_norm_backward_workspace_bytes(std::int64_t rows, int cols);
void launch_rms_norm_backward(const Bf16Bits* x, const Bf16Bits* w, const float* rstd,
                              const Bf16Bits* dy, std::int64_t rows, int cols, Bf16Bits* dx,
                              float* dw, void* workspace, cudaStream_t stream);

}  // namespace moeplan::kernels
