#include "sim/plan/serving_memory.h"

#include <algorithm>
#include <cmath>

#include "sim/cost/layer_work.h"

namespace moeplan::plan {

double kv_bytes_per_token(const config::ModelConfig& m) {
  return static_cast<double>(m.kv_lora_rank + m.qk_rope_head_dim) * (m.layers + m.mtp_layers) * 2.0;
}

ServingMemory serving_memory(const config::Scenario& sc, const serving::StepShape& step) {
  const auto& m = sc.model;
  const double w = bytes_of(sc.plan.precision);  // GEMM weights
  const double bf16 = 2.0;
  const double moe_layers = m.moe_layers() + m.mtp_layers;
  ServingMemory s;
  s.expert_slots_per_gpu = (m.routed_experts + sc.placement.redundant_experts) / std::max(1, sc.plan.ep);
  const int tp = sc.plan.tp;  // a TP group splits the heads; each GPU keeps the latent down-projections whole
  const double attention_per_gpu = m.attention_latent_params() + (m.attention_params() - m.attention_latent_params()) / tp;
  s.attention_bytes = attention_per_gpu * (m.layers + m.mtp_layers) * w;
  s.dense_ffn_bytes = m.dense_ffn_params() * m.dense_layers * w;
  s.shared_experts_bytes = m.shared_experts * m.expert_params() * moe_layers * w;
  s.routed_experts_bytes = s.expert_slots_per_gpu * m.expert_params() * moe_layers * w;
  s.gate_bytes = m.gate_params() * moe_layers * bf16;
  // Embedding and output head (the MTP module shares both), and the MTP
  // module's projection of [hidden; embedding] to hidden.
  s.embedding_bytes = 2.0 * m.embedding_params() * bf16 + m.mtp_layers * 2.0 * m.hidden * m.hidden * w;

  s.kv_bytes_per_token = kv_bytes_per_token(m);
  const double tokens_per_request = static_cast<double>(step.cached_tokens) + step.new_tokens;
  // Under TP every GPU of the group holds the latent cache of the group's
  // requests (tp x its own): the latent is shared by all heads.
  s.kv_tokens = static_cast<double>(step.requests) * tp * tokens_per_request;
  s.kv_cache_bytes = s.kv_tokens * s.kv_bytes_per_token;
  const double workspace_per_token = cost::saved_activation_bytes_per_token(m, m.moe_layers() > 0, sc.plan.precision);
  s.workspace_bytes = static_cast<double>(step.tokens()) * workspace_per_token;
  s.capacity_bytes = sc.gpu.hbm_bytes;
  const double per_request = tp * tokens_per_request * s.kv_bytes_per_token + step.new_tokens * workspace_per_token;
  const double free = s.capacity_bytes - s.weights_bytes();
  s.max_requests = free > 0 && per_request > 0 ? static_cast<int>(std::min(1e9, std::floor(free / per_request))) : 0;
  return s;
}

}  // namespace moeplan::plan
