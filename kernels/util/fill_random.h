// Device-side random fill for benchmarks and large tests: a counter-based hash
// (no state), uniform in [lo, hi). Deterministic for a given seed.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "numeric/bf16_bits.h"

namespace moeplan::kernels {

void launch_fill_uniform_bf16(Bf16Bits* data, std::size_t count, std::uint64_t seed, float lo,
                              float hi, cudaStream_t stream);
void launch_fill_uniform_f32(float* data, std::size_t count, std::uint64_t seed, float lo,
                             float hi, cudaStream_t stream);

}  // namespace moeplan::kernels
