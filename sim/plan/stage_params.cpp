#include "sim/plan/stage_params.h"

namespace moeplan::plan {

StageParams stage_params(const config::ModelConfig& m, const StageLayers& layers, int stage, int ep) {
  StageParams p;
  const int s = stage % layers.stages();
  const double experts_per_rank = static_cast<double>(m.routed_experts) / ep * m.expert_params();
  const double moe_dense = m.attention_params() + m.gate_params() + m.shared_experts * m.expert_params();
  for (int l : layers.layers[static_cast<std::size_t>(s)]) {
    const bool moe = l >= m.dense_layers;
    p.dense += moe ? moe_dense : m.attention_params() + m.dense_ffn_params();
    if (moe) p.experts += experts_per_rank;
  }
  if (s == 0) p.dense += m.embedding_params();
  if (s == layers.stages() - 1) {
    p.dense += m.embedding_params();  // output head
    p.dense += m.mtp_layers * (moe_dense + 2.0 * m.hidden * m.hidden);
    p.experts += m.mtp_layers * experts_per_rank;
  }
  return p;
}

}  // namespace moeplan::plan
