#include "sim/workload/serve_step.h"

#include "sim/util/cancelled.h"
#include "sim/util/check.h"
#include "sim/workload/collective_instances.h"
#include "sim/workload/layer_ops.h"

namespace moeplan::workload {

using program::Part;
using program::Pass;

namespace {

// The rows a step's head runs: the tokens that sample a next token.
cost::MicroBatchShape head_rows(const serving::StepShape& s) {
  cost::MicroBatchShape rows;
  rows.sequences = s.requests_per_micro_batch();
  rows.sequence_length = s.phase == config::ServingPhase::Prefill ? 1 : s.new_tokens;
  return rows;
}

// One rank's step: embedding, the layers with the micro-batches interleaved,
// the head, the MTP module.
void emit_rank(LayerOps& ops, const config::Scenario& sc, const serving::StepShape& shape, int rank) {
  const int mbs = shape.micro_batches;
  auto site = [&](int mb) { return OpSite{rank, mb, 0}; };
  std::vector<Deps> x(static_cast<std::size_t>(mbs));
  std::vector<AttentionOut> att(static_cast<std::size_t>(mbs));
  ops.start_rank();
  // Phase 1, mbs ops: embedding of each micro-batch's tokens.
  for (int mb = 0; mb < mbs; ++mb) x[static_cast<std::size_t>(mb)] = {ops.embedding(site(mb), Pass::F, {})};
  // Phase 2, (layers + MTP modules) x mbs: attention halves of every
  // micro-batch, then their MLP halves, so all-to-alls overlap compute.
  auto layer = [&](int l) {
    for (int mb = 0; mb < mbs; ++mb)
      att[static_cast<std::size_t>(mb)] = ops.attention_forward(site(mb), l, x[static_cast<std::size_t>(mb)]);
    for (int mb = 0; mb < mbs; ++mb)
      x[static_cast<std::size_t>(mb)] = ops.mlp_forward(site(mb), l, att[static_cast<std::size_t>(mb)]);
  };
  auto head = [&](int l) {
    for (int mb = 0; mb < mbs; ++mb)
      x[static_cast<std::size_t>(mb)] = {ops.compute_rows(site(mb), Part::Head, l, head_rows(shape), x[static_cast<std::size_t>(mb)])};
  };
  for (int l = 0; l < sc.model.layers; ++l) layer(l);
  // Phase 3, mbs ops: the head on the sampling tokens.
  head(-1);
  // Phase 4, mtp_layers x (layer + head): the draft of the next token
  // (decode only when drafts are accepted at all; prefill drafts the first).
  const bool drafts = shape.phase == config::ServingPhase::Prefill || sc.serving().mtp_acceptance > 0;
  for (int k = 0; drafts && k < sc.model.mtp_layers; ++k) {
    layer(sc.model.layers + k);
    head(sc.model.layers + k);
  }
}

}  // namespace

program::Program build_serve_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const ServeStepOptions& opt) {
  MOEPLAN_CHECK(!(opt.reduced && opt.pipeline >= 0), "a reduced program already holds one rank");
  const auto& lay = vp.layout;
  MOEPLAN_CHECK(lay.pp == 1 && opt.pipeline < lay.pipelines(), "serving step: pp {} rank {} of {}", lay.pp,
                opt.pipeline, lay.pipelines());
  const auto shape = opt.shape ? *opt.shape : serving::nominal_step(sc);
  MOEPLAN_CHECK(shape.requests > 0 && shape.new_tokens > 0, "empty serving step: {} requests of {} tokens",
                shape.requests, shape.new_tokens);
  program::Program prog;
  prog.scenario = sc.name;
  prog.world_size = lay.world();
  prog.reduced = opt.reduced;
  prog.partial = opt.pipeline >= 0;
  prog.replicas = opt.reduced ? lay.pipelines() : 1;
  prog.comm_sms = sc.plan.comm_sms;
  prog.all_to_all = sc.plan.all_to_all;
  for (int r = 0; r < lay.world(); ++r) prog.rank_gpu.push_back(r);
  prog.by_rank.resize(static_cast<std::size_t>(lay.world()));

  CollectiveInstances collectives(prog);
  LayerOps ops(sc, vp, serving::micro_batch_shape(shape), opt.reduced, prog, collectives);
  const int first = std::max(0, opt.pipeline);
  const int last = opt.reduced || opt.pipeline >= 0 ? first + 1 : lay.world();
  for (int rank = first; rank < last; ++rank) {
    throw_if_stopped(opt.stop);
    emit_rank(ops, sc, shape, rank);
  }
  program::check_program(prog);
  return prog;
}

}  // namespace moeplan::workload
