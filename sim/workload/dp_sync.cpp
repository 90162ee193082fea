#include "sim/workload/dp_sync.h"

#include <string>
#include <vector>

#include "sim/plan/optimizer_state.h"
#include "sim/plan/stage_params.h"

namespace moeplan::workload {
namespace {

using program::CollectiveKind;
using program::Op;
using program::OpId;
using program::OpType;
using program::Part;

// The rank's last compute op: its gradients are complete once it is.
std::vector<OpId> last_compute_of(const program::Program& prog, int rank) {
  const auto& order = prog.by_rank[static_cast<std::size_t>(rank)];
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (prog.op(*it).type == OpType::Compute && program::is_compute_stream(prog.op(*it).stream)) return {*it};
  return {};
}

// The collectives of one rank's sync.
struct RankSync {
  int rank = -1;
  CollectiveInstances& collectives;
  program::Program& prog;
};

// Reduce-scatter (ZeRO) or all-reduce of `params` FP32 gradients over the
// rank's `group`, after `after`; -1 when there is none.
OpId sync_gradients(const RankSync& at, bool zero, const char* group, const std::vector<int>& members,
                    double params, const std::vector<OpId>& after) {
  if (members.size() < 2 || params <= 0) return -1;
  Op op = at.collectives.collective(at.rank, zero ? CollectiveKind::ReduceScatter : CollectiveKind::AllReduce,
                                    Part::GradSync, at.collectives.group_index(group, members));
  op.bytes = params * plan::kGradientBytes;  // FP32 gradients
  op.dtype = DType::FP32;
  op.deps = after;
  return at.prog.add(std::move(op)).id;
}

// All-gather of `params` updated BF16 weights over the rank's `group`, after `step`.
void gather_params(const RankSync& at, const char* group, const std::vector<int>& members, double params,
                   OpId step) {
  if (members.size() < 2 || params <= 0) return;
  Op op = at.collectives.collective(at.rank, CollectiveKind::AllGather, Part::ParamSync,
                                    at.collectives.group_index(group, members));
  op.bytes = params * plan::kWeightBytes;  // BF16 weights
  op.deps = {step};
  at.prog.add(std::move(op));
}

}  // namespace

void emit_dp_sync(int rank, const std::set<int>& stages, const config::Scenario& sc, const plan::ValidatedPlan& vp,
                  CollectiveInstances& collectives, program::Program& prog) {
  const auto& lay = vp.layout;
  double dense = 0, experts = 0;
  for (const int s : stages) {
    const auto p = plan::stage_params(sc.model, vp.layers, s, lay.ep);
    dense += p.dense;
    experts += p.experts;
  }
  const bool zero = sc.plan.zero_stage >= 1;
  const std::vector<OpId> last_compute = last_compute_of(prog, rank);

  // Gradients: reduce-scatter (all-reduce) after the last compute op.
  const RankSync at{rank, collectives, prog};
  std::vector<OpId> synced;
  for (const OpId id : {sync_gradients(at, zero, "dp", lay.dp_group(rank), dense, last_compute),
                        sync_gradients(at, zero, "edp", lay.edp_group(rank), experts, last_compute)})
    if (id >= 0) synced.push_back(id);

  // Optimizer: AdamW on this rank's shard reads/writes FP32 master weights,
  // FP32 grads and two BF16 moments.
  const double shard = plan::optimizer_shard_params(dense, experts, lay.dp, lay.ep, sc.plan.zero_stage);
  Op opt;
  opt.rank = rank;
  opt.type = OpType::Compute;
  opt.stream = program::Stream::Compute;
  opt.part = Part::Optimizer;
  opt.flops = plan::kAdamwFlops * shard;
  opt.bytes = plan::kAdamwBytes * shard;
  opt.dtype = DType::FP32;
  opt.deps = synced;
  opt.deps.insert(opt.deps.end(), last_compute.begin(), last_compute.end());
  const OpId step = prog.add(std::move(opt)).id;
  if (!zero) return;

  // Parameters: all-gather after the optimizer step.
  gather_params(at, "dp", lay.dp_group(rank), dense, step);
  gather_params(at, "edp", lay.edp_group(rank), experts, step);
}

}  // namespace moeplan::workload
