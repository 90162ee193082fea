#include "sim/report/report.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/util/intervals.h"
#include "sim/util/units.h"
#include "sim/cost/layer_work.h"
#include "sim/report/serving_report.h"
#include "sim/serving/step_shape.h"

namespace moeplan::report {
namespace {

using program::OpType;
using program::Part;
}  // namespace

double& compute_slot(Breakdown& b, Part part) {
  switch (part) {
    case Part::Attention:
    case Part::AttentionCore: return b.attention_s;
    case Part::RoutedExperts:
    case Part::SharedExpert:
    case Part::Gating: return b.experts_s;
    case Part::DenseFfn: return b.dense_s;
    default: return b.other_compute_s;
  }
}

double model_flops(const config::Scenario& sc, const program::Op& op) {
  if (op.type != OpType::Compute || op.part == Part::Optimizer) return 0.0;
  // Uniform routing for the routed experts (a skewed GPU does more work, not
  // more model FLOPs); recomputation and memory-bound kernels are not model work.
  if (op.part == Part::RoutedExperts && sc.is_serving()) {  // the micro-batch's token copies, however placed
    const auto mb = serving::micro_batch_shape(serving::nominal_step(sc));
    return cost::routed_experts_work(sc.model, {mb.tokens() * sc.model.experts_per_token}, op.pass, op.dtype)
        .model_flops;
  }
  if (op.part == Part::RoutedExperts)
    return cost::part_work(sc.model, {sc.training().micro_batch, sc.training().sequence_length}, op.part, op.pass,
                           op.dtype, sc.plan.ep)
        .model_flops;
  if (op.part == Part::Attention && sc.is_serving() && sc.plan.tp > 1) {  // latent down-projections: model work once per group
    const auto mb = serving::micro_batch_shape(serving::nominal_step(sc));
    return cost::part_work(sc.model, mb, op.part, op.pass, sc.plan.precision, sc.plan.ep, cost::BlockInput::First,
                           sc.plan.tp)
        .model_flops;
  }
  if (op.attention.sequences > 0) return cost::attention_core_model_flops(op.attention, op.pass);
  if (op.gemms.empty()) return op.flops;
  double flops = 0;
  for (const auto& g : op.gemms)
    if (!g.recompute) flops += program::gemm_flops(g);
  return flops;
}

Report step_report(const config::Scenario& sc, const plan::MemoryBreakdown& memory, double step_time_s) {
  Report r;
  r.scenario = sc.name;
  r.gpus = static_cast<int>(sc.gpus());  // validated: the topology's GPU count
  r.step_time_s = step_time_s;
  r.tokens_per_step = sc.is_serving() ? static_cast<double>(serving::nominal_step(sc).requests) *
                                             serving::nominal_step(sc).new_tokens * static_cast<double>(sc.gpus())
                                       : static_cast<double>(sc.tokens_per_step());
  r.tokens_per_s = r.tokens_per_step / step_time_s;
  r.tokens_per_s_per_gpu = r.tokens_per_s / r.gpus;
  r.gpu_hours_per_trillion_tokens = r.gpus * (step_time_s / 3600.0) * (1e12 / r.tokens_per_step);
  r.memory = memory;
  r.memory_per_gpu_bytes = memory.total_bytes();
  return r;
}

void finish_report(Report& r, const config::Scenario& sc, double model_flops_per_step) {
  const auto& b = r.breakdown;
  r.exposed_comm_s = b.exposed_all_to_all_s + b.exposed_pp_s + b.exposed_dp_s + b.exposed_tp_s;
  r.bubble_fraction = b.bubble_s / r.step_time_s;
  r.model_flops_per_step = model_flops_per_step;
  const double peak = sc.gpu.peak(sc.plan.precision);
  r.mfu = r.model_flops_per_step / (r.step_time_s * r.gpus * peak);
  r.mfu_basis = fmt::format("{} dense peak {}", moeplan::to_string(sc.plan.precision), format_flops(peak));
}

Report make_report(const config::Scenario& sc, const plan::MemoryBreakdown& memory, const program::Program& p,
                   const trace::Trace& t, double step_time_s) {
  Report r = step_report(sc, memory, step_time_s);

  struct RankTimes {
    std::vector<Interval> compute, a2a, pp, dp, tp;
    Breakdown parts;  // compute seconds per part, as measured (overlapping streams counted twice)
  };
  std::map<int, RankTimes> ranks;
  double flops = 0;
  Breakdown sum;
  for (const auto& rec : t.records) {
    const auto& op = p.op(rec.op);
    auto& rt = ranks[rec.rank];
    const Interval iv{rec.start_s, rec.end_s};
    if (op.type == OpType::Compute) {
      rt.compute.push_back(iv);
      flops += model_flops(sc, op);
      const double d = rec.duration_s();
      compute_slot(rt.parts, op.part) += d;
    } else if (op.part == Part::Dispatch || op.part == Part::Combine) {
      rt.a2a.push_back(iv);
    } else if (op.part == Part::GradSync || op.part == Part::ParamSync) {
      rt.dp.push_back(iv);
    } else if (op.part == Part::SequenceGather || op.part == Part::SequenceScatter) {
      rt.tp.push_back(iv);
    } else if (op.type == OpType::Recv) {  // a transfer counts once, at its receiver
      rt.pp.push_back(iv);
    }
  }
  for (auto& [rank, rt] : ranks) {
    // Two compute streams (F&B) share the GPU: scale the parts so they add up
    // to the time the GPU was computing at all.
    const auto& p_s = rt.parts;
    const double total = p_s.attention_s + p_s.experts_s + p_s.dense_s + p_s.other_compute_s;
    const double scale = total > 0 ? union_length(rt.compute) / total : 0.0;
    sum.attention_s += scale * p_s.attention_s;
    sum.experts_s += scale * p_s.experts_s;
    sum.dense_s += scale * p_s.dense_s;
    sum.other_compute_s += scale * p_s.other_compute_s;
    // Exposed time is attributed once, in order: all-to-all, then TP, PP, DP
    // (a PP transfer hidden behind an exposed all-to-all is not exposed PP).
    std::vector<Interval> covered = rt.compute;
    sum.exposed_all_to_all_s += expose(rt.a2a, covered);
    sum.exposed_tp_s += expose(rt.tp, covered);
    sum.exposed_pp_s += expose(rt.pp, covered);
    sum.exposed_dp_s += expose(rt.dp, covered);
    sum.bubble_s += step_time_s - union_length(covered);
  }
  const double n = static_cast<double>(std::max<std::size_t>(1, ranks.size()));
  auto& b = r.breakdown;
  b.attention_s = sum.attention_s / n;
  b.experts_s = sum.experts_s / n;
  b.dense_s = sum.dense_s / n;
  b.other_compute_s = sum.other_compute_s / n;
  b.exposed_all_to_all_s = sum.exposed_all_to_all_s / n;
  b.exposed_pp_s = sum.exposed_pp_s / n;
  b.exposed_dp_s = sum.exposed_dp_s / n;
  b.exposed_tp_s = sum.exposed_tp_s / n;
  b.bubble_s = sum.bubble_s / n;
  finish_report(r, sc, flops * p.replicas);
  return r;
}

namespace {
nlohmann::json training_json(const Report& r) {
  const auto& b = r.breakdown;
  const auto& m = r.memory;
  nlohmann::json j = {{"scenario", r.scenario},
          {"gpus", r.gpus},
          {"step_time_s", r.step_time_s},
          {"tokens_per_step", r.tokens_per_step},
          {"tokens_per_s", r.tokens_per_s},
          {"tokens_per_s_per_gpu", r.tokens_per_s_per_gpu},
          {"gpu_hours_per_trillion_tokens", r.gpu_hours_per_trillion_tokens},
          {"model_flops_per_step", r.model_flops_per_step},
          {"mfu", r.mfu},
          {"mfu_basis", r.mfu_basis},
          {"bubble_fraction", r.bubble_fraction},
          {"exposed_comm_s", r.exposed_comm_s},
          {"memory_per_gpu_bytes", r.memory_per_gpu_bytes},
          {"memory",
           {{"pipe_rank", m.pipe_rank},
            {"params", m.params},
            {"weights_bytes", m.weights_bytes},
            {"gradients_bytes", m.gradients_bytes},
            {"optimizer_bytes", m.optimizer_bytes},
            {"activations_bytes", m.activations_bytes},
            {"activations_in_flight", m.activations_in_flight}}},
          {"breakdown",
           {{"attention_s", b.attention_s},
            {"experts_s", b.experts_s},
            {"dense_s", b.dense_s},
            {"other_compute_s", b.other_compute_s},
            {"exposed_all_to_all_s", b.exposed_all_to_all_s},
            {"exposed_pp_s", b.exposed_pp_s},
            {"exposed_dp_s", b.exposed_dp_s},
            {"exposed_tp_s", b.exposed_tp_s},
            {"bubble_s", b.bubble_s}}},
          {"sim_wall_s", r.sim_wall_s},
          {"peak_rss_bytes", r.peak_rss_bytes},
          {"engine", r.engine}};
  if (!r.link_usage.is_null()) j["link_usage"] = r.link_usage;
  return j;
}
}  // namespace

nlohmann::json to_json(const Report& r) {
  auto j = training_json(r);
  if (!r.serving.is_null()) j["serving"] = r.serving;
  return j;
}

std::string summary_text(const Report& r, const config::Scenario& sc) {
  const auto& b = r.breakdown;
  const auto& m = r.memory;
  const auto pct = [&](double s) { return fmt::format("{:>10}  {:5.1f}%", format_seconds(s), 100.0 * s / r.step_time_s); };
  std::string out;
  out += fmt::format("scenario        {}\n", r.scenario);
  out += fmt::format("cluster         {} x {} ({})\n", r.gpus, sc.gpu.name, sc.topology.topology.name);
  if (sc.is_serving())
    out += fmt::format("plan            attention {} EP{}  {} GEMMs, {} all-to-all, {} comm SMs\n",
                       config::attention_layout_name(sc.plan), sc.plan.ep, moeplan::to_string(sc.plan.precision),
                       program::to_string(sc.plan.all_to_all), sc.plan.comm_sms);
  else
    out += fmt::format("plan            PP{} DP{} EP{} TP{}  {}  {} GEMMs, {} micro-batches of {} tokens per pipeline\n",
                       sc.plan.pp, sc.plan.dp, sc.plan.ep, sc.plan.tp, schedule::to_string(sc.plan.schedule),
                       moeplan::to_string(sc.plan.precision), sc.microbatches(), sc.tokens_per_microbatch());
  out += "\n";
  out += fmt::format("step time       {}\n", format_seconds(r.step_time_s));
  out += fmt::format("throughput      {:.4g} tokens/s   {:.1f} tokens/s per GPU\n", r.tokens_per_s, r.tokens_per_s_per_gpu);
  out += fmt::format("cost            {:.4g} GPU-hours per trillion tokens\n", r.gpu_hours_per_trillion_tokens);
  out += fmt::format("MFU             {:.1f}%  (vs {})\n", 100.0 * r.mfu, r.mfu_basis);
  out += "\nwhere a step goes (mean over ranks)\n";
  out += fmt::format("  attention          {}\n", pct(b.attention_s));
  out += fmt::format("  experts + gating   {}\n", pct(b.experts_s));
  out += fmt::format("  dense FFN          {}\n", pct(b.dense_s));
  out += fmt::format("  embed/head/optim   {}\n", pct(b.other_compute_s));
  out += fmt::format("  exposed all-to-all {}\n", pct(b.exposed_all_to_all_s));
  out += fmt::format("  exposed PP         {}\n", pct(b.exposed_pp_s));
  out += fmt::format("  exposed DP         {}\n", pct(b.exposed_dp_s));
  if (sc.plan.tp > 1) out += fmt::format("  exposed TP         {}\n", pct(b.exposed_tp_s));
  out += fmt::format("  bubble (idle)      {}\n", pct(b.bubble_s));
  if (!r.serving.is_null()) out += serving_summary_text(r.serving);
  else out += fmt::format("\nmemory per GPU  {} of {} (pipeline rank {})\n", format_bytes(m.total_bytes()),
                     format_bytes(sc.gpu.hbm_bytes), m.pipe_rank);
  if (r.serving.is_null())
    out += fmt::format("  weights {}  gradients {}  optimizer {}  activations {} ({} micro-batches in flight)\n",
                     format_bytes(m.weights_bytes), format_bytes(m.gradients_bytes), format_bytes(m.optimizer_bytes),
                     format_bytes(m.activations_bytes), m.activations_in_flight);
  if (r.engine.value("tier", "") == "analytic")
    out += fmt::format("\nestimated analytically in {:.2f} ms wall ({} schedule ops probed, {} ops)\n",
                       1e3 * r.sim_wall_s, r.engine.value("probes", 0), r.engine.value("probe_ops", 0));
  else
    out += fmt::format("\nsimulated in {:.2f} s wall, peak memory {} ({} mode, {} ops)\n", r.sim_wall_s,
                       format_bytes(r.peak_rss_bytes), r.engine.value("mode", "?"), r.engine.value("ops", 0));
  return out;
}

}  // namespace moeplan::report
