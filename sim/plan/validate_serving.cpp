// The plan checks of a serving scenario (validate.h).
#include <fmt/format.h>

#include "sim/plan/validate.h"
#include "sim/schedule/generate.h"
#include "sim/util/units.h"

namespace moeplan::plan {
namespace {

// The request stream's prefill unit: a valid serving scenario of the same
// model in phase prefill.
void check_prefill_pool(const config::Scenario& sc, Diagnostics& diag) {
  const auto& t = *sc.serving().traffic;
  auto err = [&](const std::string& msg) { diag.add(sc.path, sc.line_of("workload.traffic"), "workload.traffic.prefill", msg); };
  Diagnostics inner;
  const auto prefill = config::load_scenario(t.prefill_scenario, inner);
  if (inner.empty() && !prefill.is_serving()) {
    err(fmt::format("{} is a {} scenario; name a serving scenario with phase: prefill", t.prefill_scenario,
                    config::kind_name(prefill.workload)));
    return;
  }
  if (inner.empty()) validate_plan(prefill, inner);
  if (!inner.empty()) {
    diag.append(inner);
    err(fmt::format("the prefill unit's scenario {} is not valid (above)", t.prefill_scenario));
    return;
  }
  if (prefill.serving().phase != config::ServingPhase::Prefill)
    err(fmt::format("{} has phase: decode; the request stream's prefill pool needs phase: prefill",
                    t.prefill_scenario));
  if (!(prefill.model == sc.model))
    err(fmt::format("{} serves model {}, this scenario {}; both pools serve one model", t.prefill_scenario,
                    prefill.model.name, sc.model.name));
}

}  // namespace

std::optional<ValidatedPlan> validate_serving_plan(const config::Scenario& sc, Diagnostics& diag) {
  const auto before = diag.size();
  const auto& p = sc.plan;
  const auto& w = sc.serving();
  auto err = [&](const std::string& field, const std::string& msg) {
    diag.add(sc.path, sc.line_of(field), field, msg);
  };
  check_layout(sc, diag);
  if (p.pp != 1)
    err("plan.pp", fmt::format("pp = {}: a serving step runs without pipeline parallelism (attention data-parallel, "
                               "experts expert-parallel); use pp: 1", p.pp));
  if (p.all_to_all == program::AllToAllAlgorithm::LowLatency && p.comm_sms != 0)
    err("plan.comm_sms", fmt::format("{} SMs with all_to_all: low_latency, which holds none (GPU-initiated RDMA); "
                                     "use comm_sms: 0", p.comm_sms));
  if (w.phase == config::ServingPhase::Prefill && w.mtp_acceptance > 0)
    err("workload.phase", "mtp_acceptance applies to decode; a prefill step drafts the first token whatever it is");
  if (w.traffic) check_prefill_pool(sc, diag);
  if (diag.size() != before) return std::nullopt;

  ValidatedPlan v;
  v.layout = Layout{p.pp, p.dp, p.ep, p.tp};
  const auto step = serving::nominal_step(sc);
  v.schedule = schedule::generate(schedule::Kind::OneFOneB, 1, step.micro_batches, 1);
  v.layers = assign_layers(sc.model, 1, {});
  v.serving_memory = serving_memory(sc, step);
  const auto& mem = v.serving_memory;
  v.peak_memory.params = 0;
  v.peak_memory.weights_bytes = mem.weights_bytes();
  v.peak_memory.activations_bytes = mem.kv_cache_bytes + mem.workspace_bytes;
  v.peak_memory.activations_in_flight = step.micro_batches;
  if (sc.gpu.hbm_bytes > 0 && mem.total_bytes() > sc.gpu.hbm_bytes) {
    err("workload.batch",
        fmt::format("the {} step does not fit in memory: {} requests x {} tokens need {} per GPU (weights {}: "
                    "attention {}, {} routed expert slots {}, shared experts {}, dense FFN {}, embedding and head {}; "
                    "KV cache {} = {} tokens x {} per token; workspace {}) but a {} has {}; at most {} requests of "
                    "{} tokens fit: lower workload.batch to {}, or raise ep to hold fewer experts per GPU",
                    config::to_string(w.phase), step.requests, step.cached_tokens + step.new_tokens,
                    format_bytes(mem.total_bytes()), format_bytes(mem.weights_bytes()), format_bytes(mem.attention_bytes),
                    mem.expert_slots_per_gpu, format_bytes(mem.routed_experts_bytes),
                    format_bytes(mem.shared_experts_bytes), format_bytes(mem.dense_ffn_bytes),
                    format_bytes(mem.embedding_bytes), format_bytes(mem.kv_cache_bytes), mem.kv_tokens,
                    format_bytes(mem.kv_bytes_per_token), format_bytes(mem.workspace_bytes), sc.gpu.name,
                    format_bytes(sc.gpu.hbm_bytes), mem.max_requests, step.cached_tokens + step.new_tokens,
                    mem.max_requests));
    return std::nullopt;
  }
  return v;
}

}  // namespace moeplan::plan
