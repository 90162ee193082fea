#include "sim/estimate/op_timer.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "sim/comm/all_to_all_flows.h"
#include "sim/util/check.h"
#include "sim/util/intervals.h"

namespace moeplan::estimate {
namespace {

using program::CollectiveKind;
using program::Op;
using program::OpId;
using program::OpType;
using program::Part;

struct Running {
  OpId id = -1;
  double remaining = 0;   // compute: seconds of work at full speed; comm: seconds left
  double not_before = 0;  // it ends no earlier: when the host has enqueued it (eager_launch.h)
};

}  // namespace

OpTimer::OpTimer(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
                 const config::Scenario& sc)
    : p_(p), t_(t), cost_(cost), sc_(sc), ports_(t) {}

double OpTimer::comm_seconds(const Op& op) {
  switch (op.type) {
    case OpType::Compute:
    case OpType::Recv: return 0.0;
    case OpType::Send: return ports_.transfer_seconds(gpu(op.rank), gpu(op.peer), op.bytes);
    case OpType::Collective: break;
  }
  const GroupPlaces& g = group_places(op.group);
  if (op.collective != CollectiveKind::AllToAll) return ports_.ring_seconds(op.collective, g.gpus, op.bytes);
  // Ops naming one traffic matrix over groups placed alike on the fabric
  // (every pipeline rank's EP group) take the same time: time each once.
  const std::pair<int, int> key{op.traffic >= 0 ? op.traffic : -1 - op.id, g.layout};
  if (auto it = all_to_all_s_.find(key); it != all_to_all_s_.end()) return it->second;
  const auto flows = comm::all_to_all_flows(program::all_to_all_traffic(p_, op.group, {op.id}), p_.all_to_all, g.places);
  return all_to_all_s_[key] = ports_.flows_seconds(flows, g.gpus);
}

const OpTimer::GroupPlaces& OpTimer::group_places(int group) {
  if (auto it = groups_.find(group); it != groups_.end()) return it->second;
  GroupPlaces g;
  for (int r : p_.groups[static_cast<std::size_t>(group)].ranks) g.gpus.push_back(gpu(r));
  g.places = comm::member_places(p_, t_, group);
  std::vector<int> shape;
  for (const auto& m : g.places) shape.push_back(m.node * 65536 + m.local);
  g.layout = layouts_.try_emplace(std::move(shape), static_cast<int>(layouts_.size())).first->second;
  return groups_[group] = std::move(g);
}

RunTiming OpTimer::time(int rank, OpId first, OpId last) {
  RunTiming out;
  // The run's ops of `rank`, per stream in program order.
  std::vector<std::vector<OpId>> streams(program::kStreamCount);
  for (OpId id = first; id < last; ++id)
    if (p_.op(id).rank == rank) streams[static_cast<std::size_t>(p_.op(id).stream)].push_back(id);
  std::vector<char> done(static_cast<std::size_t>(last - first), 0);
  auto is_done = [&](OpId d) { return d < first || d >= last || done[static_cast<std::size_t>(d - first)]; };
  std::vector<std::size_t> head(streams.size(), 0);
  std::vector<Running> running(streams.size());
  std::vector<double> started(streams.size(), 0.0);
  std::vector<Interval> compute, all_to_all, dp, tp;
  const double comm_share = cost_.gpu().sms > 0 ? static_cast<double>(p_.comm_sms) / cost_.gpu().sms : 0.0;
  const auto host_ends = cost_.eager_launch() ? cost::host_enqueue_ends(p_, *cost_.eager_launch(), first, last)
                                              : std::vector<double>{};
  auto enqueued = [&](OpId id) { return host_ends.empty() ? 0.0 : host_ends[static_cast<std::size_t>(id - first)]; };
  double now = 0;

  for (;;) {
    // Start every stream's next op whose dependencies are done.
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (running[s].id >= 0 || head[s] >= streams[s].size()) continue;
      const Op& op = p_.op(streams[s][head[s]]);
      if (!std::all_of(op.deps.begin(), op.deps.end(), is_done)) continue;
      running[s] = {op.id, op.type == OpType::Compute ? cost_.compute_seconds(op) : comm_seconds(op), enqueued(op.id)};
      started[s] = now;
      if (op.type == OpType::Send) (op.part == Part::PipelineActivation ? out.activation_out_s : out.gradient_out_s) = now;
      ++head[s];
    }
    // Rates: computing streams share what communication kernels leave of the
    // GPU. An op whose work is done but whose host enqueue is not holds
    // nothing: it waits.
    const double eps = 1e-15 * std::max(1.0, now);
    auto working = [&](std::size_t s) { return running[s].id >= 0 && running[s].remaining > eps; };
    int computing = 0;
    bool communicating = false, any = false;
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (running[s].id < 0) continue;
      any = true;
      if (!working(s)) continue;
      if (p_.op(running[s].id).type == OpType::Compute) ++computing;
      else communicating = true;
    }
    if (!any) break;
    const double compute_rate = (communicating ? 1.0 - comm_share : 1.0) / std::max(1, computing);
    auto rate = [&](std::size_t s) { return p_.op(running[s].id).type == OpType::Compute ? compute_rate : 1.0; };
    double step = std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (running[s].id < 0) continue;
      step = std::min(step, working(s) ? running[s].remaining / rate(s) : running[s].not_before - now);
    }
    step = std::max(step, 0.0);
    now += step;
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (running[s].id < 0) continue;
      if (working(s)) running[s].remaining -= step * rate(s);
      if (running[s].remaining > 1e-15 * std::max(1.0, now) || running[s].not_before > now + 1e-15 * std::max(1.0, now))
        continue;
      const Op& op = p_.op(running[s].id);
      const Interval iv{started[s], now};
      if (op.type == OpType::Compute) {
        compute.push_back(iv);
        report::compute_slot(out.time, op.part) += now - started[s];
        out.model_flops += report::model_flops(sc_, op);
      } else if (op.part == Part::Dispatch || op.part == Part::Combine) {
        all_to_all.push_back(iv);
      } else if (op.part == Part::GradSync || op.part == Part::ParamSync) {
        dp.push_back(iv);
      } else if (op.part == Part::SequenceGather || op.part == Part::SequenceScatter) {
        tp.push_back(iv);
      }  // a send is the pipeline hop, which the schedule timeline accounts
      if (op.type != OpType::Send) out.span_s = std::max(out.span_s, now);
      done[static_cast<std::size_t>(op.id - first)] = 1;
      running[s] = {};
    }
  }
  for (std::size_t s = 0; s < streams.size(); ++s)
    MOEPLAN_CHECK(head[s] == streams[s].size(), "estimate: rank {} stream {} stuck at op {}", rank, s,
                  streams[s][head[s]]);
  // Exposed communication, attributed once in the report's order: all-to-all, TP, PP, DP.
  std::vector<Interval> covered = compute;
  out.time.exposed_all_to_all_s = expose(all_to_all, covered);
  out.time.exposed_tp_s = expose(tp, covered);
  out.time.exposed_dp_s = expose(dp, covered);
  return out;
}

}  // namespace moeplan::estimate
