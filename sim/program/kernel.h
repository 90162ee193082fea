// The memory-bound kernels a compute op runs besides its GEMMs: FP8 casts and
// transposes before FP8 GEMMs, RMSNorm, RoPE, SwiGLU, permute/unpermute and
// residual adds. An op lists them (Op::kernels) so that the simulator costs
// each one and the runtime launches each one: both executors run the same list.
//
// Every kernel works on a [rows, cols] tensor; `count` is the top-k fan-out of
// a permute/unpermute (1 otherwise), `dtype` the element type of the payload a
// permute moves. Bytes are the HBM traffic of a single pass over inputs and
// outputs (closed forms in kernel_bytes; the runtime's kernels move the same):
//
//   kind                 reads                          writes
//   rmsnorm              x (bf16)                       y (bf16), rstd (fp32/row)
//   rmsnorm_backward     x, dy (bf16), rstd             dx (bf16), dw partials (fp32/row block)
//   rope(_backward)      rope slice (bf16), in place    rope slice (bf16)
//   swiglu               gate|up [rows, 2 cols] (bf16)  out [rows, cols] (bf16)
//   swiglu_backward      gate|up, dout (bf16)           dgate|dup [rows, 2 cols] (bf16)
//   quantize             x (bf16)                       e4m3 + one fp32 scale per 1x128 tile
//   quantize_transpose   x (bf16)                       e4m3 of x^T + scales (1x128 tiles along rows)
//   permute              rows x cols (dtype)            count copies (dtype)
//   unpermute            count x rows x cols (bf16)     rows x cols (bf16), weighted sum
//   add                  a, b (bf16)                    a + b (bf16)
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/util/dtype.h"

namespace moeplan::program {

enum class KernelKind : std::uint8_t {
  RmsNorm,
  RmsNormBackward,
  Rope,
  RopeBackward,
  SwiGlu,
  SwiGluBackward,
  Quantize,
  QuantizeTranspose,
  Permute,
  Unpermute,
  Add,
};
inline constexpr int kKernelKindCount = 11;

std::string_view to_string(KernelKind k);
KernelKind parse_kernel_kind(std::string_view s);  // throws std::runtime_error listing the kinds

struct Kernel {
  KernelKind kind = KernelKind::Add;
  std::int64_t rows = 0, cols = 0;
  int count = 1;
  DType dtype = DType::BF16;
  bool operator==(const Kernel&) const = default;
};

// HBM bytes one launch moves (the table above).
double kernel_bytes(const Kernel& k);
// Arithmetic it does (a few FLOPs per element; never the bottleneck on Hopper).
double kernel_flops(const Kernel& k);

}  // namespace moeplan::program
