// Serving metrics of one simulated step (a prefill or a decode iteration),
// from its step time, the scenario's batch and the step's memory:
//
//   prefill  input tokens/s per node    = requests x (new + cached tokens) x GPUs per node / step
//            (cached tokens are served from the prefix cache, not computed)
//            TTFT of a request that starts a step on an idle pool = the step time
//   decode   output tokens/s per node   = requests x (1 + MTP acceptance) x GPUs per node / step
//            per-user output tokens/s   = (1 + MTP acceptance) / step;  TPOT = its inverse
//   both     KV occupancy = KV cache / (HBM - weights - workspace); exposed all-to-all;
//            cost per million tokens = price per GPU-hour x GPUs per node / 3600 / (tokens/s per node) x 1e6
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/serving_memory.h"
#include "sim/report/report.h"

namespace moeplan::report {

nlohmann::json serving_step_metrics(const config::Scenario& sc, const plan::ServingMemory& memory, const Report& r);

// The serving part of `moeplan simulate`'s summary (the step, and the request stream when there is one).
std::string serving_summary_text(const nlohmann::json& serving);

}  // namespace moeplan::report
