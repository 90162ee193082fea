// DeepSeek-V3's mixed-precision training state per parameter (its report,
// section 3.3): BF16 weights, FP32 gradients, FP32 master weights and two
// BF16 AdamW moments; ZeRO-1 shards the optimizer state over each
// parameter's data-parallel group (dense parameters over dp, experts over
// the dp / ep ranks that hold the same experts). The memory model and the
// optimizer op of the training step both read these.
#pragma once

#include <algorithm>

#include "sim/util/dtype.h"

namespace moeplan::plan {

inline constexpr double kWeightBytes = bytes_of(DType::BF16);
inline constexpr double kGradientBytes = bytes_of(DType::FP32);
inline constexpr double kOptimizerStateBytes = bytes_of(DType::FP32) + 2 * bytes_of(DType::BF16);  // master + 2 moments
// One AdamW step per parameter: read and write the master weight and both
// moments, read the gradient, write the BF16 weight.
inline constexpr double kAdamwBytes = 2 * bytes_of(DType::FP32) + kGradientBytes + 2 * 2 * bytes_of(DType::BF16) + kWeightBytes;
inline constexpr double kAdamwFlops = 12.0;

// Parameters whose optimizer state one rank holds.
inline double optimizer_shard_params(double dense_params, double expert_params, int dp, int ep, int zero_stage) {
  if (zero_stage < 1) return dense_params + expert_params;
  return dense_params / dp + expert_params / std::max(1, dp / ep);
}

}  // namespace moeplan::plan
