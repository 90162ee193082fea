// Builds the program of one serving step (a prefill or a decode iteration)
// in the layer-op vocabulary training uses. Every GPU is an attention
// data-parallel rank with its own requests (with plan.tp > 1, a GPU of a
// tensor-parallel attention group, whose hidden states are all-gathered
// before each attention and reduce-scattered after it), holds the shared expert and its
// share of the routed experts (redundant ones placed by EPLB: the scenario's
// `placement:`), and runs the step's micro-batches interleaved:
//
//   per layer:  ATTN(mb0) [dispatch mb0]  ATTN(mb1) [dispatch mb1]
//               MLP(mb0)  [combine mb0]   MLP(mb1)  [combine mb1]
//
// so one micro-batch's all-to-all runs beside the other's compute: prefill
// hides dispatch/combine behind attention and experts; decode's attention is
// two ops (projections, core over the KV cache), which with gating, experts
// and the two all-to-alls gives the 5-stage pipeline of a layer. Then the
// head on the tokens that sample (prefill: each prompt's last; decode: every
// token of the step), and the MTP module (layer + head) that drafts the next
// token. Every op is a forward (Pass::F); there is no loss, no backward and
// no gradient sync.
#pragma once

#include <optional>
#include <stop_token>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"
#include "sim/serving/step_shape.h"

namespace moeplan::workload {

struct ServeStepOptions {
  bool reduced = false;      // hold rank 0 only: every rank is alike under uniform routing
  std::stop_token stop = {};
  int pipeline = -1;         // >= 0: hold only this rank, full fidelity (a partial program)
  std::optional<serving::StepShape> shape;  // default: the scenario's nominal step
};

program::Program build_serve_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const ServeStepOptions& opt);

}  // namespace moeplan::workload
