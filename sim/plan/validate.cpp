#include "sim/plan/validate.h"

#include <fmt/format.h>
#include <numeric>

#include "sim/moe/load_stats.h"
#include "sim/schedule/generate.h"
#include "sim/util/units.h"

namespace moeplan::plan {
namespace {

// The measured load file, read as simulate reads it: each row one layer's
// tokens per routed expert of this model, with some tokens.
void check_measured_routing(const config::Scenario& sc, Diagnostics& diag) {
  const auto stats = moe::read_load_stats(sc.routing.load_file, diag);
  if (stats.layers() == 0) return;  // read_load_stats said why
  auto err = [&](const std::string& msg) {
    diag.add(sc.path, sc.line_of("routing.load_file"), "routing.load_file", msg);
  };
  if (stats.experts() != sc.model.routed_experts) {
    err(fmt::format("{} has {} experts per row but the model routes over {}; use load statistics of this model",
                    sc.routing.load_file, stats.experts(), sc.model.routed_experts));
    return;
  }
  for (int l = 0; l < stats.layers(); ++l) {
    const auto& row = stats.tokens[static_cast<std::size_t>(l)];
    if (std::accumulate(row.begin(), row.end(), 0.0) <= 0) {
      err(fmt::format("{}: row {} has no tokens; every layer row needs a positive count", sc.routing.load_file,
                      l + 1));
      return;
    }
  }
}

// Attention tensor parallelism of a serving plan: a TP group is `tp`
// consecutive GPUs of one node, each holding heads / tp of every layer.
void check_attention_tp(const config::Scenario& sc, Diagnostics& diag) {
  const int tp = sc.plan.tp;
  auto err = [&](const std::string& msg) { diag.add(sc.path, sc.line_of("plan.tp"), "plan.tp", msg); };
  const int per_node = sc.topology.topology.gpus_per_node();
  if (per_node > 0 && per_node % tp != 0)
    err(fmt::format("tp = {} must divide the {} GPUs per node of {}: a tensor-parallel group is tp consecutive "
                    "GPUs of one node (over NVLink); valid: a divisor of {}",
                    tp, per_node, sc.topology.path, per_node));
  if (sc.model.heads > 0 && sc.model.heads % tp != 0)
    err(fmt::format("tp = {} must divide the model's {} attention heads: each GPU of a tensor-parallel group "
                    "computes heads / tp of them; valid: a divisor of {}", tp, sc.model.heads, sc.model.heads));
}

}  // namespace

void check_layout(const config::Scenario& sc, Diagnostics& diag) {
  const auto& p = sc.plan;
  const auto& m = sc.model;
  auto err = [&](const std::string& field, const std::string& msg) {
    diag.add(sc.path, sc.line_of(field), field, msg);
  };
  const int gpus = sc.topology.topology.gpu_count();
  if (p.tp != 1 && !sc.is_serving())
    err("plan.tp", fmt::format("{}: tensor parallelism is not modelled yet; use tp: 1 "
                               "(DeepSeek-V3 trains without TP)", p.tp));
  if (p.tp != 1 && sc.is_serving()) check_attention_tp(sc, diag);
  if (gpus > 0 && sc.gpus() != gpus)
    err("plan.pp", fmt::format("pp x dp x tp = {} x {} x {} = {} ranks, but the topology {} has {} GPUs; "
                               "choose sizes whose product is {}", p.pp, p.dp, p.tp, sc.gpus(),
                               sc.topology.path, gpus, gpus));
  if (m.moe_layers() > 0) {
    if (p.tp == 1 && p.dp % p.ep != 0)
      err("plan.ep", fmt::format("ep = {} must divide dp = {}: an expert-parallel group is formed from "
                                 "data-parallel ranks of one pipeline stage", p.ep, p.dp));
    if (p.tp > 1 && (static_cast<std::int64_t>(p.dp) * p.tp) % p.ep != 0)
      err("plan.ep", fmt::format("ep = {} must divide dp x tp = {} x {} = {} GPUs: with sequence parallelism "
                                 "every GPU routes its own share of the tokens to the experts",
                                 p.ep, p.dp, p.tp, static_cast<std::int64_t>(p.dp) * p.tp));
    const int slots = m.routed_experts + sc.placement.redundant_experts;
    if (slots % p.ep != 0)
      err("plan.ep", sc.placement.redundant_experts == 0
                         ? fmt::format("ep = {} must divide the {} routed experts; valid: a divisor of {}", p.ep,
                                       m.routed_experts, m.routed_experts)
                         : fmt::format("ep = {} must divide the {} routed + {} redundant expert slots = {}; valid: a "
                                       "divisor of {}, or change placement.redundant_experts",
                                       p.ep, m.routed_experts, sc.placement.redundant_experts, slots, slots));
  }
  if (const int shared_gpus = sc.placement.shared_expert_gpus; shared_gpus > 0) {
    if (!sc.is_serving())
      err("placement.shared_expert_gpus",
          fmt::format("{}: a dispatched shared expert is modelled for serving only (its backward is not); remove "
                      "the key to run the shared expert on every GPU", shared_gpus));
    else if (m.shared_experts == 0 || m.moe_layers() == 0)
      err("placement.shared_expert_gpus",
          fmt::format("{}: the model {} has no shared expert to dispatch; remove the key", shared_gpus, m.name));
    else if (shared_gpus > p.ep)
      err("placement.shared_expert_gpus",
          fmt::format("{} GPUs for the shared expert, but the expert-parallel group has {}; use 1 to {}", shared_gpus,
                      p.ep, p.ep));
  }
  if (sc.gpu.sms > 0 && p.comm_sms >= sc.gpu.sms)
    err("plan.comm_sms", fmt::format("{} communication SMs leave none of the GPU's {} SMs for compute",
                                     p.comm_sms, sc.gpu.sms));
}

std::optional<ValidatedPlan> validate_plan(const config::Scenario& sc, Diagnostics& diag) {
  if (sc.is_serving()) return validate_serving_plan(sc, diag);
  const auto before = diag.size();
  const auto& p = sc.plan;
  const auto& m = sc.model;
  auto err = [&](const std::string& field, const std::string& msg) {
    diag.add(sc.path, sc.line_of(field), field, msg);
  };
  check_layout(sc, diag);
  if (sc.training().global_batch % (static_cast<std::int64_t>(p.dp) * sc.training().micro_batch) != 0)
    err("workload.global_batch",
        fmt::format("global batch {} is not a multiple of dp x micro_batch = {} x {}; "
                    "each pipeline must run a whole number of micro-batches",
                    sc.training().global_batch, p.dp, sc.training().micro_batch));
  if (sc.training().global_batch > 0 && p.dp > 0 && sc.training().micro_batch > 0 &&
      sc.microbatches() > kMaxMicrobatches)
    err("workload.global_batch",
        fmt::format("global batch {} / (dp x micro_batch = {} x {}) = {} micro-batches per pipeline; the limit is {} "
                    "(each is a pass through every stage: with pp {} the schedule alone would hold {} entries, "
                    "~{:.1f} GB); raise micro_batch or dp, or lower global_batch",
                    sc.training().global_batch, p.dp, sc.training().micro_batch, sc.microbatches(), kMaxMicrobatches,
                    p.pp, sc.microbatches() * p.pp * 3, static_cast<double>(sc.microbatches() * p.pp * 3) * 60 / 1e9));
  const int stages = schedule::stage_count(p.schedule, p.pp, p.chunks);
  if (!p.layers_per_stage.empty()) {
    const auto sum = std::accumulate(p.layers_per_stage.begin(), p.layers_per_stage.end(), std::int64_t{0});
    if (static_cast<int>(p.layers_per_stage.size()) != stages || sum != m.layers)
      err("plan.layers_per_stage",
          fmt::format("{} entries summing to {}; expected {} entries (one per pipeline stage) summing to "
                      "the model's {} layers", p.layers_per_stage.size(), sum, stages, m.layers));
    for (int n : p.layers_per_stage)
      if (n < 1) err("plan.layers_per_stage", "every stage needs at least one layer");
  } else if (m.layers > 0 && m.layers % stages != 0) {
    err("plan.pp", fmt::format("{} pipeline stages do not divide the model's {} layers; choose a divisor "
                               "of {} or list plan.layers_per_stage (e.g. fewer layers on the first and "
                               "last stages, which also hold embedding and head)", stages, m.layers, m.layers));
  }
  if (m.moe_layers() > 0 && sc.routing.distribution == config::RoutingDistribution::measured)
    check_measured_routing(sc, diag);
  if (diag.size() != before) return std::nullopt;

  ValidatedPlan v;
  v.layout = Layout{p.pp, p.dp, p.ep, p.tp};
  try {
    v.schedule = schedule::generate(p.schedule, p.pp, static_cast<int>(sc.microbatches()), p.chunks);
  } catch (const std::invalid_argument& e) {
    err("plan.schedule", fmt::format("{} (with {} micro-batches per pipeline = global_batch / (dp x "
                                     "micro_batch))", e.what(), sc.microbatches()));
    return std::nullopt;
  }
  v.layers = assign_layers(m, stages, p.layers_per_stage);
  v.peak_memory = peak_memory(sc, v.schedule, v.layers);
  if (sc.gpu.hbm_bytes > 0 && v.peak_memory.total_bytes() > sc.gpu.hbm_bytes) {
    const auto& mb = v.peak_memory;
    err("plan", fmt::format("the plan does not fit in memory: pipeline rank {} needs {} (weights {}, "
                            "gradients {}, optimizer {}, activations {} for {} micro-batches in flight) "
                            "but a {} has {}; raise pp or ep, lower micro_batch, or use zero_stage: 1",
                            mb.pipe_rank, format_bytes(mb.total_bytes()), format_bytes(mb.weights_bytes),
                            format_bytes(mb.gradients_bytes), format_bytes(mb.optimizer_bytes),
                            format_bytes(mb.activations_bytes), mb.activations_in_flight, sc.gpu.name,
                            format_bytes(sc.gpu.hbm_bytes)));
    return std::nullopt;
  }
  return v;
}

}  // namespace moeplan::plan
