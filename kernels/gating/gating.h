// Gating (router top-k) on the GPU: sigmoid scores plus per-expert bias,
// group-limited and optionally node-limited top-k, normalised weights times the
// routed scale. CPU reference: gating_reference.h.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "gating/gating_config.h"

namespace moeplan::kernels {

// logits:      [num_tokens, num_experts] fp32 router outputs (device)
// expert_bias: [num_experts] fp32, added for selection only (device)
// topk_expert: [num_tokens, topk] int32, experts in selection order (device)
// topk_weight: [num_tokens, topk] fp32, sigmoid(logit)/sum * routed_scale (device)
void launch_gating(const float* logits, const float* expert_bias, int num_tokens,
                   const GatingConfig& config, std::int32_t* topk_expert, float* topk_weight,
                   cudaStream_t stream);

}  // namespace moeplan::kernels
