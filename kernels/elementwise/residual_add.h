// Residual add, BF16 in/out, FP32 add: out[i] = bf16(a[i] + b[i]) for i < count.
// CPU reference: residual_add_reference.h. out may alias a or b (in place).
// 16-byte vector path when a, b and out are 16-byte aligned; the tail (count % 8) and
// unaligned pointers take a scalar path.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void launch_residual_add(const Bf16Bits* a, const Bf16Bits* b, std::int64_t count, Bf16Bits* out,
                         cudaStream_t stream);

}  // namespace moeplan::kernels
