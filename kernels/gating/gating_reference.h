// CPU reference of launch_gating (gating.h): same function, written with sorts.
#pragma once

#include <cstdint>
#include <span>

#include "gating/gating_config.h"

namespace moeplan::kernels {

void gating_reference(std::span<const float> logits, std::span<const float> expert_bias,
                      int num_tokens, const GatingConfig& config,
                      std::span<std::int32_t> topk_expert, std::span<float> topk_weight);

}  // namespace moeplan::kernels
