#include "sim/report/serving_report.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/serving/step_shape.h"
#include "sim/util/units.h"

namespace moeplan::report {

nlohmann::json serving_step_metrics(const config::Scenario& sc, const plan::ServingMemory& memory, const Report& r) {
  const auto& w = sc.serving();
  const auto step = serving::nominal_step(sc);
  const int per_node = std::max(1, sc.topology.topology.gpus_per_node());
  const double gpus = static_cast<double>(sc.gpus());
  const double requests = step.requests;  // padding is computed, not served
  const double t = r.step_time_s;
  const double price_per_node_s = w.price_per_gpu_hour * per_node / 3600.0;
  const double free = memory.capacity_bytes - memory.weights_bytes() - memory.workspace_bytes;
  nlohmann::json j = {
      {"phase", config::to_string(w.phase)},
      {"gpus", sc.gpus()},
      {"nodes", gpus / per_node},
      {"requests_per_gpu", step.requests},
      {"new_tokens_per_request", step.new_tokens},
      {"cached_tokens_per_request", step.cached_tokens},
      {"micro_batches", step.micro_batches},
      {"step_time_s", t},
      {"exposed_all_to_all_s", r.breakdown.exposed_all_to_all_s},
      {"exposed_all_to_all_fraction", r.breakdown.exposed_all_to_all_s / t},
      {"price_per_gpu_hour", w.price_per_gpu_hour},
      {"memory",
       {{"weights_bytes", memory.weights_bytes()},
        {"routed_expert_slots_per_gpu", memory.expert_slots_per_gpu},
        {"routed_experts_bytes", memory.routed_experts_bytes},
        {"kv_bytes_per_token", memory.kv_bytes_per_token},
        {"kv_cache_bytes", memory.kv_cache_bytes},
        {"workspace_bytes", memory.workspace_bytes},
        {"capacity_bytes", memory.capacity_bytes},
        {"kv_occupancy", free > 0 ? memory.kv_cache_bytes / free : 0.0},
        {"max_requests_per_gpu", memory.max_requests}}}};
  if (w.phase == config::ServingPhase::Prefill) {
    const double input = requests * (step.new_tokens + step.cached_tokens) * per_node / t;
    j["input_tokens_per_s_per_node"] = input;
    j["computed_tokens_per_s_per_node"] = requests * step.new_tokens * per_node / t;
    j["ttft_s"] = t;
    j["cost_per_million_input_tokens"] = price_per_node_s / input * 1e6;
  } else {
    const double per_step = serving::output_tokens_per_step(sc);
    const double output = requests * per_step * per_node / t;
    j["mtp_acceptance"] = w.mtp_acceptance;
    j["output_tokens_per_s_per_node"] = output;
    j["output_tokens_per_s_per_user"] = per_step / t;
    j["tpot_s"] = t / per_step;
    j["cost_per_million_output_tokens"] = price_per_node_s / output * 1e6;
  }
  return j;
}

std::string serving_summary_text(const nlohmann::json& s) {
  std::string out;
  const auto& m = s["memory"];
  out += fmt::format("\n{} step       {} requests per GPU x {} new tokens ({} cached), {} micro-batches, {} GPUs\n",
                     s.value("phase", "?"), s.value("requests_per_gpu", 0), s.value("new_tokens_per_request", 0),
                     s.value("cached_tokens_per_request", 0), s.value("micro_batches", 0), s.value("gpus", 0));
  if (s.contains("input_tokens_per_s_per_node"))
    out += fmt::format("  input           {:.0f} tokens/s per node ({:.0f} computed), TTFT {}, {:.3g} per million "
                       "input tokens\n",
                       s.value("input_tokens_per_s_per_node", 0.0), s.value("computed_tokens_per_s_per_node", 0.0),
                       format_seconds(s.value("ttft_s", 0.0)), s.value("cost_per_million_input_tokens", 0.0));
  if (s.contains("output_tokens_per_s_per_node"))
    out += fmt::format("  output          {:.0f} tokens/s per node, {:.1f} tokens/s per user, TPOT {}, {:.3g} per "
                       "million output tokens\n",
                       s.value("output_tokens_per_s_per_node", 0.0), s.value("output_tokens_per_s_per_user", 0.0),
                       format_seconds(s.value("tpot_s", 0.0)), s.value("cost_per_million_output_tokens", 0.0));
  out += fmt::format("  exposed a2a     {} per step ({:.1f}%)\n", format_seconds(s.value("exposed_all_to_all_s", 0.0)),
                     100.0 * s.value("exposed_all_to_all_fraction", 0.0));
  out += fmt::format("  memory per GPU  weights {} ({} expert slots), KV cache {} ({} per token, {:.0f}% of the free "
                     "HBM), workspace {}; at most {} requests fit\n",
                     format_bytes(m.value("weights_bytes", 0.0)), m.value("routed_expert_slots_per_gpu", 0),
                     format_bytes(m.value("kv_cache_bytes", 0.0)), format_bytes(m.value("kv_bytes_per_token", 0.0)),
                     100.0 * m.value("kv_occupancy", 0.0), format_bytes(m.value("workspace_bytes", 0.0)),
                     m.value("max_requests_per_gpu", 0));
  if (s.contains("traffic")) {
    const auto& t = s["traffic"];
    auto pct = [&](const char* key) {
      const auto& q = t[key];
      return fmt::format("p50 {}  p90 {}  p99 {}", format_seconds(q.value("p50", 0.0)), format_seconds(q.value("p90", 0.0)),
                         format_seconds(q.value("p99", 0.0)));
    };
    out += fmt::format("\nrequest stream  {} requests over {}, prefill pool {} GPUs, decode pool {} GPUs\n",
                       t.value("requests", 0), format_seconds(t.value("makespan_s", 0.0)), t.value("prefill_gpus", 0),
                       t.value("decode_gpus", 0));
    out += fmt::format("  TTFT            {}\n", pct("ttft_s"));
    out += fmt::format("  TPOT            {}\n", pct("tpot_s"));
    out += fmt::format("  prefill         {:.0f} input tokens/s per node;  decode {:.0f} output tokens/s per node, "
                       "{:.1f} per user\n",
                       t.value("input_tokens_per_s_per_node", 0.0), t.value("output_tokens_per_s_per_node", 0.0),
                       t.value("output_tokens_per_s_per_user", 0.0));
    out += fmt::format("  KV occupancy    {:.1f}% mean of the decode pool's free HBM;  cost {:.3g} / {:.3g} per million "
                       "input / output tokens\n",
                       100.0 * t.value("kv_occupancy_mean", 0.0), t.value("cost_per_million_input_tokens", 0.0),
                       t.value("cost_per_million_output_tokens", 0.0));
    out += fmt::format("  step times      {} distinct step shapes timed analytically\n", t.value("step_shapes_timed", 0));
  }
  return out;
}

}  // namespace moeplan::report
