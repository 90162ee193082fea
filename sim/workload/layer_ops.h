// The layer-op vocabulary: verbs that append one rank's compute ops and
// expert-parallel all-to-alls for the parts of a transformer layer, for the
// embedding, and for the head and loss (with DeepSeek-V3's multi-token-
// prediction modules). Every workload's program builder speaks it. A verb
// takes the ops its input is ready after and returns those its output is
// ready after; DeepSeek's F&B slots split a layer in two halves:
//
//   F    ATTN-F  [sp-gather ->] attention -> core [-> sp-scatter] [-> gating -> dispatch]
//        MLP-F   dense FFN | shared expert, routed experts -> combine
//   Bi   (combine-grad)
//        MLP-B   dense FFN | shared expert, routed experts -> dispatch-grad
//        ATTN-B  [gating ->] core -> attention
//   W    MLP-W, ATTN-W: each part's weight-grad GEMMs after its input-grad op
//
// A rank's compute ops run in order on its compute stream: fence_compute()
// makes the next compute op wait for the last one since the previous fence.
#pragma once

#include "sim/config/scenario.h"
#include "sim/cost/layer_work.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"
#include "sim/workload/collective_instances.h"
#include "sim/workload/lead_clock.h"
#include "sim/workload/moe_traffic.h"

namespace moeplan::workload {

using Deps = std::vector<program::OpId>;  // ops whose completion makes a value ready

// Where a layer op runs: its rank, and the micro-batch (within its direction) it works on.
struct OpSite {
  int rank = -1;
  int mb = -1;
  int dir = 0;
};

// ATTN-F's outputs, which MLP-F of the same layer starts from.
struct AttentionOut {
  program::OpId core = -1;      // the attention's output on this GPU's tokens (its core, or the TP reduce-scatter)
  program::OpId dispatch = -1;  // MoE layers only
};

// A layer's input-grad op of each part, which the part's weight-grad op
// follows; -1 where the layer has no such part.
struct LayerGrads {
  program::OpId dense_ffn = -1, shared_expert = -1, routed_experts = -1, gating = -1, attention = -1;
};

class LayerOps {
 public:
  // `reduced`: a program holding one rank per EP group, which runs its routed
  // experts at the pace of the group's busiest GPU.
  LayerOps(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::MicroBatchShape& mb_shape,
           bool reduced, program::Program& prog, CollectiveInstances& collectives);

  void start_rank();     // the next compute op waits for no earlier compute op
  void fence_compute();  // the next compute op waits for the last one emitted since the previous fence

  bool is_moe(int layer) const { return layer >= sc_.model.dense_layers; }

  // ---- one transformer layer in DeepSeek's slots ------------------------------------
  AttentionOut attention_forward(const OpSite& at, int layer, const Deps& in);
  Deps mlp_forward(const OpSite& at, int layer, const AttentionOut& attention);
  program::OpId combine_backward(const OpSite& at, int layer, const Deps& in);
  Deps mlp_backward(const OpSite& at, int layer, const Deps& in, program::OpId combine_grad, LayerGrads& grads);
  void mlp_weight_grad(const OpSite& at, int layer, const LayerGrads& grads);
  Deps attention_backward(const OpSite& at, int layer, const Deps& in, LayerGrads& grads);
  void attention_weight_grad(const OpSite& at, int layer, const LayerGrads& grads);

  // ---- one transformer layer whole ---------------------------------------------------
  Deps layer_forward(const OpSite& at, int layer, const Deps& in);   // ATTN-F, MLP-F
  Deps layer_backward(const OpSite& at, int layer, const Deps& in);  // combine-grad, MLP-B, ATTN-B
  // Every part's weight-grad GEMMs in backward order, all after `in` (a
  // zero-bubble W): dense FFN | shared expert, routed experts, gating; attention.
  Deps layer_weight_grad(const OpSite& at, int layer, const Deps& in);

  // ---- the ends of the model ---------------------------------------------------------
  program::OpId embedding(const OpSite& at, program::Pass pass, const Deps& in);
  // Head and loss, then per MTP module k: layer, head, loss.
  Deps head_forward(const OpSite& at, const Deps& in);
  // Per MTP module k, last first: loss, head, layer; then loss, head.
  Deps head_backward(const OpSite& at, const Deps& in);
  // Per MTP module k, last first: head, layer; then head; all after `in`.
  Deps head_weight_grad(const OpSite& at, const Deps& in);

  // ---- inference ---------------------------------------------------------------------
  // A forward compute op of `part` over `rows` instead of the micro-batch (a
  // serving step's head, which only the tokens that sample run).
  program::OpId compute_rows(const OpSite& at, program::Part part, int layer, const cost::MicroBatchShape& rows,
                             const Deps& in);

 private:
  program::OpId compute(const OpSite& at, program::Part part, program::Pass pass, int layer, Deps deps);
  program::OpId all_to_all(const OpSite& at, program::Part part, program::Pass pass, int layer, Deps deps);
  // A TP group's all-gather (SequenceGather) or reduce-scatter (SequenceScatter) of hidden states.
  program::OpId sequence_collective(const OpSite& at, program::Part part, int layer, Deps deps);
  cost::PartWork work_of(int rank, program::Part part, program::Pass pass, int layer);
  int ep_index(int rank) const;
  int routed_rank(int rank, program::Pass pass, int layer);  // whose experts a routed-experts op runs
  std::int64_t routed_rows(int rank, program::Pass pass, int layer);
  cost::BlockInput block_input(program::Part part, int layer) const;

  const config::Scenario& sc_;
  const plan::Layout& lay_;
  cost::MicroBatchShape mb_shape_;
  bool reduced_ = false;
  program::Program& prog_;
  CollectiveInstances& collectives_;
  MoeTraffic traffic_;
  LeadClock leads_;
  Deps fence_;                    // not yet attached to a compute op
  program::OpId last_compute_ = -1;  // since the last fence
};

}  // namespace moeplan::workload
