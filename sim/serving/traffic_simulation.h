// A serving scenario's request stream over its two pools (the scenario is
// the decode unit; workload.traffic names the prefill unit's scenario): the
// request simulation (request_sim.h) with step times from both pools' step
// programs (step_times.h), and its metrics and Chrome trace.
//
//   prefill token budget per GPU  = the prefill scenario's batch x prompt_tokens
//   decode requests per GPU       <= the decode scenario's batch, and KV tokens
//                                    <= (HBM - weights - workspace) / KV bytes per token
//   KV transfer                   = prompt tokens x KV bytes per token over the
//                                    slowest inter-node link (one NIC), + its latency
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/serving/request_sim.h"

namespace moeplan::serving {

struct TrafficResult {
  RequestSimResult sim;
  nlohmann::json metrics;       // the report's serving.traffic
  nlohmann::json chrome_trace;  // one process per pool, one thread per unit, one slice per step
};

TrafficResult simulate_traffic(const config::Scenario& decode_sc, const plan::ValidatedPlan& decode_vp,
                               const std::string& calibration_path);

// Metrics of a finished stream: TTFT, TPOT, throughput per node, KV
// occupancy, cost, Little's-law terms and token counts.
nlohmann::json traffic_metrics(const RequestSimResult& r, const RequestSimConfig& c, int prefill_gpus_per_node,
                               int decode_gpus_per_node, double price_per_gpu_hour);

nlohmann::json pools_chrome_trace(const RequestSimResult& r, const RequestSimConfig& c);

}  // namespace moeplan::serving
