#include "sim/workload/layer_ops.h"

#include <algorithm>
#include <numeric>

namespace moeplan::workload {

using program::Op;
using program::OpId;
using program::OpType;
using program::Part;
using program::Pass;

LayerOps::LayerOps(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::MicroBatchShape& mb_shape,
                   bool reduced, program::Program& prog, CollectiveInstances& collectives)
    : sc_(sc),
      lay_(vp.layout),
      mb_shape_(mb_shape),
      reduced_(reduced),
      prog_(prog),
      collectives_(collectives),
      traffic_(sc, std::min(vp.layout.ep, std::max(1, sc.topology.topology.gpus_per_node())), mb_shape.tokens()),
      leads_(sc, vp, traffic_, prog) {}

void LayerOps::start_rank() {
  fence_.clear();
  last_compute_ = -1;
}

void LayerOps::fence_compute() {
  fence_.clear();
  if (last_compute_ >= 0) fence_.push_back(last_compute_);
  last_compute_ = -1;
}

// ---- one transformer layer in DeepSeek's slots --------------------------------------

AttentionOut LayerOps::attention_forward(const OpSite& at, int layer, const Deps& in) {
  AttentionOut out;
  // Tensor parallelism with sequence parallelism (tp > 1): the group's hidden
  // states gathered before the projections, the output projection's partial
  // sums reduce-scattered back to each GPU's own tokens after the core.
  const bool sp = lay_.tp > 1;
  const Deps gathered = sp ? Deps{sequence_collective(at, Part::SequenceGather, layer, in)} : in;
  const OpId core =
      compute(at, Part::AttentionCore, Pass::F, layer, {compute(at, Part::Attention, Pass::F, layer, gathered)});
  out.core = sp ? sequence_collective(at, Part::SequenceScatter, layer, {core}) : core;
  if (is_moe(layer))
    out.dispatch = all_to_all(at, Part::Dispatch, Pass::F, layer, {compute(at, Part::Gating, Pass::F, layer, {out.core})});
  return out;
}

Deps LayerOps::mlp_forward(const OpSite& at, int layer, const AttentionOut& attention) {
  if (!is_moe(layer)) return {compute(at, Part::DenseFfn, Pass::F, layer, {attention.core})};
  // A dispatched shared expert (placement.shared_expert_gpus) runs among the
  // routed experts of the GPUs holding its replicas (moe_traffic.h).
  if (sc_.placement.shared_expert_gpus > 0) {
    const OpId experts = compute(at, Part::RoutedExperts, Pass::F, layer, {attention.dispatch});
    return {all_to_all(at, Part::Combine, Pass::F, layer, {experts})};
  }
  const OpId shared = compute(at, Part::SharedExpert, Pass::F, layer, {attention.core});
  const OpId experts = compute(at, Part::RoutedExperts, Pass::F, layer, {attention.dispatch});
  return {all_to_all(at, Part::Combine, Pass::F, layer, {experts}), shared};
}

OpId LayerOps::combine_backward(const OpSite& at, int layer, const Deps& in) {
  return all_to_all(at, Part::Combine, Pass::Bi, layer, in);
}

Deps LayerOps::mlp_backward(const OpSite& at, int layer, const Deps& in, OpId combine_grad, LayerGrads& grads) {
  if (!is_moe(layer)) return {grads.dense_ffn = compute(at, Part::DenseFfn, Pass::Bi, layer, in)};
  const OpId shared = grads.shared_expert = compute(at, Part::SharedExpert, Pass::Bi, layer, in);
  const OpId experts = grads.routed_experts = compute(at, Part::RoutedExperts, Pass::Bi, layer, {combine_grad});
  return {all_to_all(at, Part::Dispatch, Pass::Bi, layer, {experts}), shared};
}

void LayerOps::mlp_weight_grad(const OpSite& at, int layer, const LayerGrads& grads) {
  if (grads.dense_ffn >= 0) compute(at, Part::DenseFfn, Pass::W, layer, {grads.dense_ffn});
  if (grads.shared_expert >= 0) compute(at, Part::SharedExpert, Pass::W, layer, {grads.shared_expert});
  if (grads.routed_experts >= 0) compute(at, Part::RoutedExperts, Pass::W, layer, {grads.routed_experts});
}

Deps LayerOps::attention_backward(const OpSite& at, int layer, const Deps& in, LayerGrads& grads) {
  Deps core_in = in;
  if (is_moe(layer)) core_in = {grads.gating = compute(at, Part::Gating, Pass::Bi, layer, in)};
  const OpId core = compute(at, Part::AttentionCore, Pass::Bi, layer, core_in);
  return {grads.attention = compute(at, Part::Attention, Pass::Bi, layer, {core})};
}

void LayerOps::attention_weight_grad(const OpSite& at, int layer, const LayerGrads& grads) {
  if (grads.gating >= 0) compute(at, Part::Gating, Pass::W, layer, {grads.gating});
  if (grads.attention >= 0) compute(at, Part::Attention, Pass::W, layer, {grads.attention});
}

// ---- one transformer layer whole ----------------------------------------------------

Deps LayerOps::layer_forward(const OpSite& at, int layer, const Deps& in) {
  return mlp_forward(at, layer, attention_forward(at, layer, in));
}

Deps LayerOps::layer_backward(const OpSite& at, int layer, const Deps& in) {
  const OpId combine_grad = is_moe(layer) ? combine_backward(at, layer, in) : -1;
  LayerGrads grads;
  return attention_backward(at, layer, mlp_backward(at, layer, in, combine_grad, grads), grads);
}

Deps LayerOps::layer_weight_grad(const OpSite& at, int layer, const Deps& in) {
  if (!is_moe(layer)) {
    compute(at, Part::DenseFfn, Pass::W, layer, in);
  } else {
    compute(at, Part::SharedExpert, Pass::W, layer, in);
    compute(at, Part::RoutedExperts, Pass::W, layer, in);
    compute(at, Part::Gating, Pass::W, layer, in);
  }
  return {compute(at, Part::Attention, Pass::W, layer, in)};
}

// ---- the ends of the model ----------------------------------------------------------
// The MTP modules are numbered after the last layer: module k is layer `layers + k`.

OpId LayerOps::embedding(const OpSite& at, Pass pass, const Deps& in) {
  return compute(at, Part::Embedding, pass, -1, in);
}

Deps LayerOps::head_forward(const OpSite& at, const Deps& in) {
  const int mtp_layer = sc_.model.layers;
  Deps x = {compute(at, Part::Head, Pass::F, -1, in)};
  x = {compute(at, Part::Loss, Pass::F, -1, x)};
  for (int k = 0; k < sc_.model.mtp_layers; ++k) {
    x = layer_forward(at, mtp_layer + k, x);
    x = {compute(at, Part::Head, Pass::F, mtp_layer + k, x)};
    x = {compute(at, Part::Loss, Pass::F, mtp_layer + k, x)};
  }
  return x;
}

Deps LayerOps::head_backward(const OpSite& at, const Deps& in) {
  const int mtp_layer = sc_.model.layers;
  Deps x = in;
  for (int k = sc_.model.mtp_layers - 1; k >= 0; --k) {
    x = {compute(at, Part::Loss, Pass::Bi, mtp_layer + k, x)};
    x = {compute(at, Part::Head, Pass::Bi, mtp_layer + k, x)};
    x = layer_backward(at, mtp_layer + k, x);
  }
  x = {compute(at, Part::Loss, Pass::Bi, -1, x)};
  return {compute(at, Part::Head, Pass::Bi, -1, x)};
}

Deps LayerOps::head_weight_grad(const OpSite& at, const Deps& in) {
  const int mtp_layer = sc_.model.layers;
  for (int k = sc_.model.mtp_layers - 1; k >= 0; --k) {
    compute(at, Part::Head, Pass::W, mtp_layer + k, in);
    layer_weight_grad(at, mtp_layer + k, in);
  }
  return {compute(at, Part::Head, Pass::W, -1, in)};
}

// ---- ops ----------------------------------------------------------------------------

int LayerOps::ep_index(int rank) const {
  const auto g = lay_.ep_group(rank);
  return static_cast<int>(std::find(g.begin(), g.end(), rank) - g.begin());
}

// Routed experts work on the tokens this rank's experts receive. A reduced
// program holds one rank per EP group and runs it at the group's pace: in F
// and Bi each layer's combine waits for that layer's busiest GPU; W ops meet
// no collective, so there the GPU busiest over the stage's layers leads.
cost::PartWork LayerOps::work_of(int rank, Part part, Pass pass, int layer) {
  if (part != Part::RoutedExperts)
    return cost::part_work(sc_.model, mb_shape_, part, pass, sc_.plan.precision, lay_.ep, block_input(part, layer),
                           lay_.tp);
  const auto& lt = traffic_.layer(layer, prog_);
  return cost::routed_experts_work(sc_.model, lt.local_expert_tokens[static_cast<std::size_t>(routed_rank(rank, pass, layer))],
                                   pass, sc_.plan.precision);
}

int LayerOps::routed_rank(int rank, Pass pass, int layer) {
  if (!reduced_) return ep_index(rank);
  return pass == Pass::W ? leads_.busiest_over_stage(layer) : traffic_.layer(layer, prog_).slowest_rank;
}

std::int64_t LayerOps::routed_rows(int rank, Pass pass, int layer) {
  const auto& slots = traffic_.layer(layer, prog_).local_expert_tokens[static_cast<std::size_t>(routed_rank(rank, pass, layer))];
  return std::accumulate(slots.begin(), slots.end(), std::int64_t{0});
}

// What the attention of `layer` (or the head, layer -1 or an MTP module's)
// assembles from the block before it.
cost::BlockInput LayerOps::block_input(Part part, int layer) const {
  if (part != Part::Attention && part != Part::Head) return cost::BlockInput::First;
  const int before = part == Part::Head ? (layer < 0 ? sc_.model.layers - 1 : layer) : layer - 1;
  if (before < 0) return cost::BlockInput::First;
  return is_moe(before) ? cost::BlockInput::AfterMoe : cost::BlockInput::AfterDense;
}

OpId LayerOps::compute_rows(const OpSite& at, Part part, int layer, const cost::MicroBatchShape& rows, const Deps& in) {
  const auto saved = mb_shape_;
  mb_shape_ = rows;
  const OpId id = compute(at, part, Pass::F, layer, in);
  mb_shape_ = saved;
  return id;
}

OpId LayerOps::compute(const OpSite& at, Part part, Pass pass, int layer, Deps deps) {
  const auto w = work_of(at.rank, part, pass, layer);
  Op op;
  op.rank = at.rank;
  op.type = OpType::Compute;
  op.stream = program::Stream::Compute;
  op.part = part;
  op.pass = pass;
  op.layer = layer;
  op.microbatch = at.mb;
  op.dir = at.dir;
  op.tokens = mb_shape_.tokens();
  if (part == Part::Attention || part == Part::AttentionCore) op.tokens *= lay_.tp;  // the TP group's tokens
  if (part == Part::RoutedExperts) op.tokens = routed_rows(at.rank, pass, layer);
  op.flops = w.flops;
  op.bytes = w.bytes;
  op.dtype = w.dtype;
  op.gemms = w.gemms;
  op.kernels = w.kernels;
  op.attention = w.attention;
  op.deps = std::move(deps);
  op.deps.insert(op.deps.end(), fence_.begin(), fence_.end());
  fence_.clear();
  const OpId id = prog_.add(std::move(op)).id;
  last_compute_ = id;
  if (part == Part::RoutedExperts) leads_.advance(at.rank, layer, pass);
  return id;
}

// Issued on the compute stream, inline with the attention it feeds (as NCCL
// on the compute stream is): the comm stream keeps the all-to-alls, so the
// other micro-batch's dispatch and combine still overlap this attention.
OpId LayerOps::sequence_collective(const OpSite& at, Part part, int layer, Deps deps) {
  const auto kind = part == Part::SequenceGather ? program::CollectiveKind::AllGather
                                                 : program::CollectiveKind::ReduceScatter;
  Op op = collectives_.collective(at.rank, kind, part, collectives_.group_index("tp", lay_.tp_group(at.rank)));
  op.stream = program::Stream::Compute;
  op.pass = Pass::F;
  op.layer = layer;
  op.microbatch = at.mb;
  op.dir = at.dir;
  op.tokens = mb_shape_.tokens() * lay_.tp;
  op.bytes = cost::sequence_parallel_bytes(sc_.model, op.tokens);
  op.dtype = DType::BF16;
  op.deps = std::move(deps);
  op.deps.insert(op.deps.end(), fence_.begin(), fence_.end());
  fence_.clear();
  return prog_.add(std::move(op)).id;
}

OpId LayerOps::all_to_all(const OpSite& at, Part part, Pass pass, int layer, Deps deps) {
  const auto members = lay_.ep_group(at.rank);
  const double per_token = cost::token_payload_bytes(sc_.model, part, pass, sc_.plan.precision);
  const auto& lt = traffic_.layer(layer, prog_);
  Op op = collectives_.collective(at.rank, program::CollectiveKind::AllToAll, part,
                                  collectives_.group_index("ep", members));
  op.pass = pass;
  op.layer = layer;
  op.microbatch = at.mb;
  op.dir = at.dir;
  const bool towards_experts = (part == Part::Dispatch) == (pass == Pass::F);
  op.dtype = towards_experts ? sc_.plan.precision : DType::BF16;
  op.traffic = traffic_.traffic_id(lt, part, pass);
  op.lead = leads_.take_lead(at.rank, pass, at.mb, at.dir);
  // This rank's row of the group matrix (what it sends to each member) stays in the matrix.
  const auto row = program::send_row(prog_, op);
  op.bytes = std::accumulate(row.begin(), row.end(), 0.0);
  op.tokens = static_cast<std::int64_t>(op.bytes / per_token);
  op.deps = std::move(deps);
  return prog_.add(std::move(op)).id;
}

}  // namespace moeplan::workload
