#include "sim/plan/memory.h"

#include <algorithm>

#include "sim/plan/optimizer_state.h"
#include "sim/plan/stage_params.h"
#include "sim/schedule/timeline.h"
#include "sim/cost/layer_work.h"

namespace moeplan::plan {

MemoryBreakdown rank_memory(const config::Scenario& sc, const schedule::Schedule& sched,
                            const StageLayers& layers, int pipe_rank) {
  const auto& m = sc.model;
  const auto& plan = sc.plan;
  MemoryBreakdown mb;
  mb.pipe_rank = pipe_rank;
  double dense_params = 0, expert_params = 0, act_per_token = 0;
  // The stages this rank holds: one per chunk (DualPipe: both copies).
  for (int c = 0; c < sched.chunks; ++c) {
    const auto p = stage_params(m, layers, schedule::stage_of(sched, pipe_rank, schedule::chunk_pass(sched, c)), plan.ep);
    dense_params += p.dense;
    expert_params += p.experts;
  }
  // Activations: the heaviest stage this rank holds, per micro-batch.
  for (int c = 0; c < sched.chunks; ++c) {
    const int stage = schedule::stage_of(sched, pipe_rank, schedule::chunk_pass(sched, c)) % layers.stages();
    double per_token = 0;
    for (int l : layers.layers[static_cast<std::size_t>(stage)])
      per_token += cost::saved_activation_bytes_per_token(m, l >= m.dense_layers, plan.precision);
    if (stage == layers.stages() - 1) per_token += m.mtp_layers * cost::saved_activation_bytes_per_token(m, true, plan.precision);
    act_per_token = std::max(act_per_token, per_token);
  }
  mb.params = dense_params + expert_params;
  mb.weights_bytes = kWeightBytes * mb.params;
  mb.gradients_bytes = kGradientBytes * mb.params;
  mb.optimizer_bytes =
      kOptimizerStateBytes * optimizer_shard_params(dense_params, expert_params, plan.dp, plan.ep, plan.zero_stage);
  mb.activations_in_flight = schedule::peak_activations(sched).at(static_cast<std::size_t>(pipe_rank));
  mb.activations_bytes = mb.activations_in_flight * act_per_token * static_cast<double>(sc.tokens_per_microbatch());
  return mb;
}

MemoryBreakdown peak_memory(const config::Scenario& sc, const schedule::Schedule& sched, const StageLayers& layers) {
  MemoryBreakdown best;
  for (int r = 0; r < sched.pp; ++r) {
    auto m = rank_memory(sc, sched, layers, r);
    if (r == 0 || m.total_bytes() > best.total_bytes()) best = m;
  }
  return best;
}

}  // namespace moeplan::plan
