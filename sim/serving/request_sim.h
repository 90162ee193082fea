// A request-level simulation of disaggregated serving above the step
// programs: requests arrive, wait for a prefill unit, are prefilled in a
// batch under a token budget, send their KV cache to the decode pool over
// the network, and decode with continuous batching until their last token.
//
//   arrival -> prefill queue (FIFO) -> prefill step (first token) -> KV transfer
//           -> decode admission (a GPU with room) -> decode steps -> finish
//
// Load balancing, as DeepSeek publishes it: a prefill step spreads its
// requests over the unit's GPUs by core-attention work and tokens (the
// largest request first, onto the least loaded GPU); decode admits a request
// to the GPU with the least KV cache in use, then the fewest requests. Every
// GPU of a unit steps together (they meet in every all-to-all), so a step
// lasts what its busiest GPU's batch takes. Step times come from callbacks
// (step_times.h in production, closed forms in tests).
//
// "GPU" above is an attention rank: one GPU, or with attention tensor
// parallelism a TP group of `tp` GPUs that holds its requests' whole KV cache
// on each of its GPUs (traffic_simulation.cpp converts; the step callbacks
// get the group's batch).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/serving/requests.h"

namespace moeplan::serving {

// The batch of the busiest GPU of a step: requests, and per request the new
// tokens and the cached ones (rounded means over its requests).
struct GpuBatch {
  int requests = 0;
  int new_tokens = 0;
  int cached_tokens = 0;
};

struct RequestSimConfig {
  int prefill_units = 1, prefill_ranks_per_unit = 1;  // attention ranks: GPUs, or TP groups
  int decode_units = 1, decode_ranks_per_unit = 1;
  int prefill_tp = 1, decode_tp = 1;                   // GPUs per attention rank (for GPU counts)
  std::int64_t prefill_token_budget_per_rank = 0;  // uncached prompt tokens per rank per step
  int decode_max_requests_per_rank = 0;
  double decode_kv_capacity_tokens_per_rank = 0;   // KV tokens that fit beside the weights
  double kv_transfer_s_per_token = 0;             // prefill -> decode, per prompt token
  double kv_transfer_latency_s = 0;
  int decode_tokens_per_step = 1;                 // 2 with an MTP draft
  double mtp_acceptance = 0;                      // the draft's acceptance probability
  std::uint64_t seed = 1;
  std::function<double(const GpuBatch&)> prefill_step_s, decode_step_s;
  std::size_t max_step_records = 200000;          // steps kept for the trace
};

struct RequestOutcome {
  Request request;
  double first_token_s = 0;   // end of its prefill step
  double decode_start_s = 0;  // its KV cache arrived in the decode pool
  double finish_s = 0;        // its last token
  int decoded_tokens = 0;     // tokens decode produced (output - 1)
};

struct StepRecord {
  bool prefill = false;
  int unit = 0;
  double start_s = 0, end_s = 0;
  int requests = 0;           // in the whole unit
  std::int64_t tokens = 0;    // new tokens computed in the whole unit
};

struct RequestSimResult {
  std::vector<RequestOutcome> requests;  // in arrival order
  std::vector<StepRecord> steps;         // in start order per pool, at most max_step_records
  std::size_t prefill_steps = 0, decode_steps = 0;
  double makespan_s = 0;                 // the last request's finish
  double requests_in_system_s = 0;       // integral over time of the requests arrived and not finished
  std::int64_t prefilled_tokens = 0;     // computed by prefill
  std::int64_t cache_hit_tokens = 0;     // served from the prefix cache
  std::int64_t decoded_tokens = 0;
  double kv_occupancy_mean = 0;          // time-weighted over decode steps, of the pool's KV capacity
  int decode_waits = 0;                  // admissions that waited for room
};

// Throws std::invalid_argument when a request cannot ever be admitted (its
// KV cache exceeds one GPU's capacity), naming the request.
RequestSimResult simulate_requests(const std::vector<Request>& requests, const RequestSimConfig& config);

// The q-quantile (0..1) of `values` by nearest rank (0 when empty).
double quantile(std::vector<double> values, double q);

}  // namespace moeplan::serving
