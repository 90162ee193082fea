#include "sim/serving/traffic_simulation.h"

#include <algorithm>
#include <fmt/format.h>
#include <limits>

#include "sim/cost/cost_model.h"
#include "sim/serving/step_times.h"

namespace moeplan::serving {
namespace {

cost::CostModel cost_model(const config::Scenario& sc, const std::string& calibration_path) {
  return cost::CostModel(sc.gpu, calibration_path.empty() ? cost::Calibration{} : cost::Calibration::load(calibration_path));
}

// The slowest link between nodes (InfiniBand), else the slowest link at all:
// what one request's KV cache crosses from its prefill GPU to its decode GPU.
std::pair<double, double> kv_link(const topology::Topology& t) {
  double ib = std::numeric_limits<double>::infinity(), any = ib, ib_latency = 0, any_latency = 0;
  for (int i = 0; i < t.link_count(); ++i) {
    const auto& l = t.link(i);
    if (l.kind == topology::LinkKind::Ib && l.Bps < ib) ib = l.Bps, ib_latency = l.latency_s;
    if (l.Bps < any) any = l.Bps, any_latency = l.latency_s;
  }
  if (std::isfinite(ib)) return {ib, ib_latency};
  if (std::isfinite(any)) return {any, any_latency};
  return {0, 0};
}

nlohmann::json percentiles(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return {{"p50", quantile(v, 0.5)}, {"p90", quantile(v, 0.9)}, {"p99", quantile(v, 0.99)},
          {"mean", v.empty() ? 0.0 : sum / static_cast<double>(v.size())}};
}

}  // namespace

nlohmann::json traffic_metrics(const RequestSimResult& r, const RequestSimConfig& c, int prefill_gpus_per_node,
                               int decode_gpus_per_node, double price_per_gpu_hour) {
  std::vector<double> ttft, tpot, user_rate, latency;
  std::int64_t prompt = 0, output = 0, produced = 0;
  for (const auto& o : r.requests) {
    ttft.push_back(o.first_token_s - o.request.arrival_s);
    latency.push_back(o.finish_s - o.request.arrival_s);
    prompt += o.request.prompt_tokens;
    output += o.request.output_tokens;
    produced += 1 + o.decoded_tokens;
    if (o.decoded_tokens > 0) {
      const double per_token = (o.finish_s - o.decode_start_s) / o.decoded_tokens;
      tpot.push_back(per_token);
      user_rate.push_back(1.0 / per_token);
    }
  }
  const int prefill_gpus = c.prefill_units * c.prefill_ranks_per_unit * c.prefill_tp;
  const int decode_gpus = c.decode_units * c.decode_ranks_per_unit * c.decode_tp;
  const double t = std::max(r.makespan_s, 1e-12);
  const double prefill_nodes = static_cast<double>(prefill_gpus) / std::max(1, prefill_gpus_per_node);
  const double decode_nodes = static_cast<double>(decode_gpus) / std::max(1, decode_gpus_per_node);
  const double input_tokens = static_cast<double>(r.prefilled_tokens + r.cache_hit_tokens);
  const double decoded = static_cast<double>(r.decoded_tokens);
  double mean_latency = 0;
  for (double l : latency) mean_latency += l;
  mean_latency /= static_cast<double>(std::max<std::size_t>(1, latency.size()));
  const double n = static_cast<double>(r.requests.size());
  const double first_arrival = r.requests.empty() ? 0 : r.requests.front().request.arrival_s;
  const double last_arrival = r.requests.empty() ? 0 : r.requests.back().request.arrival_s;
  double mean_user = 0;
  for (double u : user_rate) mean_user += u;
  mean_user /= static_cast<double>(std::max<std::size_t>(1, user_rate.size()));
  return {
      {"requests", r.requests.size()},
      {"makespan_s", r.makespan_s},
      {"prefill_gpus", prefill_gpus},
      {"decode_gpus", decode_gpus},
      {"prefill_steps", r.prefill_steps},
      {"decode_steps", r.decode_steps},
      {"ttft_s", percentiles(ttft)},
      {"tpot_s", percentiles(tpot)},
      {"latency_s", percentiles(latency)},
      {"input_tokens_per_s_per_node", input_tokens / t / prefill_nodes},
      {"output_tokens_per_s_per_node", decoded / t / decode_nodes},
      {"output_tokens_per_s_per_user", mean_user},
      {"kv_occupancy_mean", r.kv_occupancy_mean},
      {"decode_admission_waits", r.decode_waits},
      {"cost_per_million_input_tokens",
       input_tokens > 0 ? price_per_gpu_hour * prefill_gpus * t / 3600.0 / input_tokens * 1e6 : 0.0},
      {"cost_per_million_output_tokens",
       decoded > 0 ? price_per_gpu_hour * decode_gpus * t / 3600.0 / decoded * 1e6 : 0.0},
      {"little",
       {{"mean_requests_in_system", r.requests_in_system_s / t},
        {"arrival_rate_per_s", last_arrival > first_arrival ? (n - 1) / (last_arrival - first_arrival) : 0.0},
        {"mean_latency_s", mean_latency}}},
      {"tokens",
       {{"prompt", prompt},
        {"prefilled", r.prefilled_tokens},
        {"cache_hits", r.cache_hit_tokens},
        {"output_requested", output},
        {"output_produced", produced}}},
  };
}

nlohmann::json pools_chrome_trace(const RequestSimResult& r, const RequestSimConfig& c) {
  auto events = nlohmann::json::array();
  auto meta = [&](int pid, const std::string& name) {
    events.push_back({{"ph", "M"}, {"pid", pid}, {"name", "process_name"}, {"args", {{"name", name}}}});
  };
  auto pool = [](const char* kind, int units, int ranks, int tp) {
    return tp == 1 ? fmt::format("{} pool: {} units x {} GPUs", kind, units, ranks)
                   : fmt::format("{} pool: {} units x {} TP{} groups", kind, units, ranks, tp);
  };
  meta(1, pool("prefill", c.prefill_units, c.prefill_ranks_per_unit, c.prefill_tp));
  meta(2, pool("decode", c.decode_units, c.decode_ranks_per_unit, c.decode_tp));
  for (const auto& s : r.steps)
    events.push_back({{"ph", "X"},
                      {"pid", s.prefill ? 1 : 2},
                      {"tid", s.unit},
                      {"name", s.prefill ? "prefill step" : "decode step"},
                      {"ts", s.start_s * 1e6},
                      {"dur", (s.end_s - s.start_s) * 1e6},
                      {"args", {{"requests", s.requests}, {"tokens", s.tokens}}}});
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

TrafficResult simulate_traffic(const config::Scenario& decode_sc, const plan::ValidatedPlan& decode_vp,
                               const std::string& calibration_path) {
  const auto& w = decode_sc.serving();
  const auto& t = *w.traffic;
  Diagnostics diag;
  const auto prefill_sc = config::load_scenario(t.prefill_scenario, diag);
  diag.throw_if_any();
  const auto prefill_vp = plan::validate_plan(prefill_sc, diag);
  diag.throw_if_any();
  const auto prefill_cost = cost_model(prefill_sc, calibration_path);
  const auto decode_cost = cost_model(decode_sc, calibration_path);
  StepTimes prefill_times(prefill_sc, *prefill_vp, prefill_cost);
  StepTimes decode_times(decode_sc, decode_vp, decode_cost);

  // An attention rank is a GPU, or a TP group whose GPUs each hold the KV
  // cache of all its requests: `batch` requests per GPU make tp x batch per
  // group, and the group's KV capacity in tokens is one GPU's.
  RequestSimConfig c;
  c.prefill_units = t.prefill_units;
  c.prefill_tp = prefill_sc.plan.tp;
  c.prefill_ranks_per_unit = static_cast<int>(prefill_sc.gpus()) / c.prefill_tp;
  c.decode_units = t.decode_units;
  c.decode_tp = decode_sc.plan.tp;
  c.decode_ranks_per_unit = static_cast<int>(decode_sc.gpus()) / c.decode_tp;
  const auto& pw = prefill_sc.serving();
  c.prefill_token_budget_per_rank = static_cast<std::int64_t>(c.prefill_tp) * pw.batch * pw.prompt_tokens;
  c.decode_max_requests_per_rank = c.decode_tp * w.batch;
  const auto& mem = decode_vp.serving_memory;
  c.decode_kv_capacity_tokens_per_rank =
      std::max(0.0, mem.capacity_bytes - mem.weights_bytes() - mem.workspace_bytes) / mem.kv_bytes_per_token;
  const auto [link_Bps, link_latency_s] = kv_link(decode_sc.topology.topology);
  c.kv_transfer_s_per_token = link_Bps > 0 ? mem.kv_bytes_per_token / link_Bps : 0.0;
  c.kv_transfer_latency_s = link_latency_s;
  c.decode_tokens_per_step = decode_tokens_per_request(decode_sc);
  c.mtp_acceptance = w.mtp_acceptance;
  c.seed = t.seed;
  // A step program's batch is per GPU: a TP group's requests over its GPUs.
  auto per_gpu = [](GpuBatch b, int tp) {
    b.requests = (b.requests + tp - 1) / tp;
    return b;
  };
  c.prefill_step_s = [&](const GpuBatch& b) { return prefill_times.seconds(per_gpu(b, c.prefill_tp)); };
  c.decode_step_s = [&](const GpuBatch& b) { return decode_times.seconds(per_gpu(b, c.decode_tp)); };

  TrafficResult out;
  out.sim = simulate_requests(traffic_requests(t), c);
  out.metrics = traffic_metrics(out.sim, c, std::max(1, prefill_sc.topology.topology.gpus_per_node()),
                                std::max(1, decode_sc.topology.topology.gpus_per_node()), w.price_per_gpu_hour);
  out.metrics["prefill_units"] = t.prefill_units;
  out.metrics["decode_units"] = t.decode_units;
  out.metrics["prefill_scenario"] = prefill_sc.name;
  out.metrics["kv_capacity_tokens_per_decode_gpu"] = c.decode_kv_capacity_tokens_per_rank;
  out.metrics["tp"] = {{"prefill", c.prefill_tp}, {"decode", c.decode_tp}};
  out.metrics["kv_transfer_s_per_prompt_token"] = c.kv_transfer_s_per_token;
  out.metrics["step_shapes_timed"] = prefill_times.shapes_timed() + decode_times.shapes_timed();
  out.chrome_trace = pools_chrome_trace(out.sim, c);
  return out;
}

}  // namespace moeplan::serving
