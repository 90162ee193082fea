#include "sim/estimate/estimate.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "sim/cost/layer_work.h"
#include "sim/estimate/op_timer.h"
#include "sim/schedule/timeline.h"
#include "sim/util/check.h"
#include "sim/report/serving_report.h"
#include "sim/workload/serve_step.h"
#include "sim/workload/train_step.h"

namespace moeplan::estimate {
namespace {

using schedule::OpKind;
using schedule::PassRef;
using schedule::ScheduleOp;

// What distinguishes the time of a schedule op: its kind and the stage
// shape of each of its passes, not the rank or the micro-batch.
using ProbeKey = std::tuple<OpKind, int, int, bool>;

// Stages alike in what they hold take alike time: first or last (embedding,
// head), their dense and MoE layers (which layers, where routing differs by
// layer). Each pipeline stage maps to the id of its shape.
class ProbeKeys {
 public:
  ProbeKeys(const config::Scenario& sc, const plan::ValidatedPlan& vp) : sched_(vp.schedule) {
    const int stages = schedule::stage_count(sched_);
    const bool alike_layers = sc.routing.distribution == config::RoutingDistribution::uniform;
    std::map<std::vector<int>, int> ids;
    for (int st = 0; st < stages; ++st) {
      const auto& layers = vp.layers.layers[static_cast<std::size_t>(st % vp.layers.stages())];
      std::vector<int> shape{st == 0, st == stages - 1};
      if (alike_layers) {
        const auto dense = std::count_if(layers.begin(), layers.end(), [&](int l) { return l < sc.model.dense_layers; });
        shape.push_back(static_cast<int>(dense));
        shape.push_back(static_cast<int>(layers.size() - static_cast<std::size_t>(dense)));
      } else {
        shape.insert(shape.end(), layers.begin(), layers.end());
      }
      shape_.push_back(ids.try_emplace(shape, static_cast<int>(ids.size())).first->second);
    }
  }

  ProbeKey operator()(int rank, const ScheduleOp& op) const {
    if (op.kind == OpKind::FB) return {op.kind, shape(rank, op.f), shape(rank, op.b), op.full_b};
    return {op.kind, shape(rank, op.pass), -1, false};
  }

 private:
  int shape(int rank, const PassRef& p) const {
    return shape_[static_cast<std::size_t>(schedule::stage_of(sched_, rank, p))];
  }
  const schedule::Schedule& sched_;
  std::vector<int> shape_;
};

ScheduleOp single(OpKind kind, PassRef p) {
  ScheduleOp op;
  op.kind = kind;
  op.pass = p;
  op.pass.mb = 0;
  return op;
}

// One probe per rank: every schedule op of its list not probed yet, in an
// order the builder can run: the forwards of its chunks, then the backwards,
// the F&B pairs (the forward of another micro-batch), and the weight grads
// last. Returns the ops to time and their keys (the forwards a backward needs
// are run but not timed when probed before).
struct RankProbe {
  std::vector<ScheduleOp> ops;
  std::vector<std::optional<ProbeKey>> keys;
};

RankProbe rank_probe(int rank, const std::vector<ScheduleOp>& ops, const ProbeKeys& key_of,
                     const std::map<ProbeKey, RunTiming>& done) {
  std::map<ProbeKey, ScheduleOp> forwards, backwards, pairs, weights;
  auto want = [&](std::map<ProbeKey, ScheduleOp>& group, const ScheduleOp& op) {
    const ProbeKey key = key_of(rank, op);
    if (!done.contains(key)) group.try_emplace(key, op);
  };
  for (const auto& op : ops) {
    switch (op.kind) {
      case OpKind::F: want(forwards, single(OpKind::F, op.pass)); break;
      case OpKind::B:
      case OpKind::Bi:
        want(backwards, single(op.kind, op.pass));
        if (op.kind == OpKind::Bi) want(weights, single(OpKind::W, op.pass));
        break;
      case OpKind::W: break;  // its pass is that of a Bi or F&B backward before it
      case OpKind::FB: {
        ScheduleOp fb = op;
        fb.b.mb = 0;
        fb.f.mb = 1;  // another micro-batch than the backward's, as in every F&B
        want(pairs, fb);
        if (!op.full_b) want(weights, single(OpKind::W, op.b));
        break;
      }
    }
  }
  // Prerequisites by pass (direction, chunk), not by shape: the forward of
  // every pass a backward, pair or weight grad works on, and the Bi of every
  // weight grad's pass, run untimed unless timed anyway.
  std::set<std::pair<int, int>> timed_forwards, timed_backwards;
  for (const auto& [key, op] : forwards) timed_forwards.insert({op.pass.dir, op.pass.chunk});
  for (const auto& [key, op] : backwards) timed_backwards.insert({op.pass.dir, op.pass.chunk});
  std::map<std::pair<int, int>, ScheduleOp> prior_forwards, prior_backwards;
  auto need_forward = [&](const PassRef& p) {
    if (!timed_forwards.contains({p.dir, p.chunk})) prior_forwards.try_emplace({p.dir, p.chunk}, single(OpKind::F, p));
  };
  for (const auto& [key, op] : backwards) need_forward(op.pass);
  for (const auto& [key, op] : pairs) need_forward(op.b);
  for (const auto& [key, op] : weights) {
    need_forward(op.pass);
    if (!timed_backwards.contains({op.pass.dir, op.pass.chunk}))
      prior_backwards.try_emplace({op.pass.dir, op.pass.chunk}, single(OpKind::Bi, op.pass));
  }
  RankProbe out;
  for (const auto& [pass, op] : prior_forwards) out.ops.push_back(op), out.keys.push_back(std::nullopt);
  for (const auto& [key, op] : forwards) out.ops.push_back(op), out.keys.push_back(key);
  for (const auto& [pass, op] : prior_backwards) out.ops.push_back(op), out.keys.push_back(std::nullopt);
  for (const auto* group : {&backwards, &pairs, &weights})
    for (const auto& [key, op] : *group) out.ops.push_back(op), out.keys.push_back(key);
  return out;
}

void add(report::Breakdown& to, const report::Breakdown& b) {
  to.attention_s += b.attention_s;
  to.experts_s += b.experts_s;
  to.dense_s += b.dense_s;
  to.other_compute_s += b.other_compute_s;
  to.exposed_all_to_all_s += b.exposed_all_to_all_s;
  to.exposed_pp_s += b.exposed_pp_s;
  to.exposed_dp_s += b.exposed_dp_s;
  to.exposed_tp_s += b.exposed_tp_s;
}

double busy_s(const report::Breakdown& b) {
  return b.attention_s + b.experts_s + b.dense_s + b.other_compute_s + b.exposed_all_to_all_s + b.exposed_pp_s +
         b.exposed_dp_s + b.exposed_tp_s;
}

}  // namespace

// A serving step has no pipeline schedule: the reduced step program (one
// rank, its experts at the EP group's slowest GPU's pace) timed as one run.
Estimate estimate_serve_step(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::CostModel& cost,
                             std::stop_token stop) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto p = workload::build_serve_step(sc, vp, {.reduced = true, .stop = stop, .pipeline = -1, .shape = std::nullopt});
  OpTimer timer(p, sc.topology.topology, cost, sc);
  const auto run = timer.time(0, 0, static_cast<program::OpId>(p.ops.size()));
  Estimate e;
  e.report = report::step_report(sc, vp.peak_memory, run.span_s);
  e.report.breakdown = run.time;
  e.report.breakdown.bubble_s = std::max(0.0, run.span_s - busy_s(run.time));
  report::finish_report(e.report, sc, run.model_flops * p.replicas);
  e.report.serving = report::serving_step_metrics(sc, vp.serving_memory, e.report);
  e.probes = 1;
  e.probe_ops = p.ops.size();
  e.report.sim_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  e.report.engine = {{"tier", "analytic"}, {"probes", e.probes}, {"probe_ops", e.probe_ops}};
  return e;
}

Estimate estimate_step(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::CostModel& cost,
                       std::stop_token stop) {
  if (sc.is_serving()) return estimate_serve_step(sc, vp, cost, stop);
  const auto t0 = std::chrono::steady_clock::now();
  const auto& lay = vp.layout;
  const auto& topo = sc.topology.topology;
  workload::TrainStepProbe probe(sc, vp);
  OpTimer timer(probe.program(), topo, cost, sc);
  const int pp = vp.schedule.pp;

  const ProbeKeys key_of(sc, vp);
  std::map<ProbeKey, RunTiming> probes;
  for (int r = 0; r < pp; ++r) {
    const auto todo = rank_probe(r, vp.schedule.ranks[static_cast<std::size_t>(r)], key_of, probes);
    if (todo.ops.empty()) continue;
    const auto ranges = probe.run(r, todo.ops);
    for (std::size_t i = 0; i < todo.keys.size(); ++i)
      if (todo.keys[i]) probes[*todo.keys[i]] = timer.time(lay.rank(r, 0), ranges[i].first, ranges[i].last);
  }
  auto timing_of = [&](int r, const ScheduleOp& op) -> const RunTiming& {
    const auto it = probes.find(key_of(r, op));
    MOEPLAN_CHECK(it != probes.end(), "estimate: rank {} runs a {} that was not probed", r, schedule::to_string(op.kind));
    return it->second;
  };

  // Totals per pipeline rank of what its schedule ops ran.
  std::vector<report::Breakdown> ranks(static_cast<std::size_t>(pp));
  std::vector<double> flops(static_cast<std::size_t>(pp), 0.0);
  const double activation_bytes = cost::pipeline_payload_bytes(
      sc.model, {sc.training().micro_batch, sc.training().sequence_length});
  std::map<std::pair<int, int>, double> hops;

  schedule::DurationModel model;
  model.op_s = [&](int r, const ScheduleOp& op) {
    const RunTiming& t = timing_of(r, op);
    add(ranks[static_cast<std::size_t>(r)], t.time);
    flops[static_cast<std::size_t>(r)] += t.model_flops;
    return t.span_s;
  };
  model.out_s = [&](int r, const ScheduleOp& op, bool forward) {
    const RunTiming& t = timing_of(r, op);
    const double out = forward ? t.activation_out_s : t.gradient_out_s;
    return out >= 0 ? out : t.span_s;
  };
  model.hop_s = [&](int from, int to) {
    auto [it, fresh] = hops.try_emplace({from, to}, 0.0);
    if (fresh) {
      const int a = probe.program().rank_gpu[static_cast<std::size_t>(lay.rank(from, 0))];
      const int b = probe.program().rank_gpu[static_cast<std::size_t>(lay.rank(to, 0))];
      it->second = timer.ports().transfer_seconds(a, b, activation_bytes);
    }
    return it->second;
  };
  const auto timeline = schedule::evaluate_timeline(vp.schedule, model, stop);
  MOEPLAN_CHECK(!timeline.deadlocked(), "estimate: the schedule deadlocks:\n{}", timeline.deadlock_report());

  // Each rank's data-parallel sync follows its last op; the step ends with the last rank.
  double step_s = 0;
  for (int r = 0; r < pp; ++r) {
    const auto range = probe.dp_sync(r);
    const RunTiming sync = timer.time(lay.rank(r, 0), range.first, range.last);
    add(ranks[static_cast<std::size_t>(r)], sync.time);
    step_s = std::max(step_s, timeline.ranks[static_cast<std::size_t>(r)].last_end_s + sync.span_s);
  }

  Estimate e;
  e.report = report::step_report(sc, vp.peak_memory, step_s);
  report::Breakdown mean;
  double model_flops = 0;
  for (int r = 0; r < pp; ++r) {
    auto b = ranks[static_cast<std::size_t>(r)];
    b.bubble_s = std::max(0.0, step_s - busy_s(b));
    add(mean, b);
    mean.bubble_s += b.bubble_s;
    model_flops += flops[static_cast<std::size_t>(r)];
  }
  auto& b = e.report.breakdown;
  b = mean;
  for (double* v : {&b.attention_s, &b.experts_s, &b.dense_s, &b.other_compute_s, &b.exposed_all_to_all_s,
                    &b.exposed_pp_s, &b.exposed_dp_s, &b.exposed_tp_s, &b.bubble_s})
    *v /= pp;
  report::finish_report(e.report, sc, model_flops * lay.pipelines());
  e.probes = static_cast<int>(probes.size());
  e.probe_ops = probe.program().ops.size();
  e.report.sim_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  e.report.engine = {{"tier", "analytic"}, {"probes", e.probes}, {"probe_ops", e.probe_ops}};
  return e;
}

}  // namespace moeplan::estimate
