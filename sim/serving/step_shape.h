// The batch of one serving step on one GPU (an attention data-parallel rank):
// how many requests, how many new tokens each brings, how many tokens of each
// are already in the KV cache, and how the step splits into micro-batches.
//
//   prefill   requests = prompts this GPU computes in the step
//             new      = the uncached part of each prompt
//             cached   = its prefix-cache hit (read, not recomputed)
//   decode    requests = sequences in flight on this GPU
//             new      = 1, or 2 with the model's MTP module (the previous
//                        step's draft token is verified with the next one)
//             cached   = each sequence's context in the KV cache
//
// Dual micro-batch overlap splits the requests in two equal halves; a batch
// that does not split evenly is padded by one request (the padding is
// computed, not counted as served).
#pragma once

#include <cstdint>

#include "sim/config/scenario.h"
#include "sim/cost/layer_work.h"

namespace moeplan::serving {

struct StepShape {
  config::ServingPhase phase = config::ServingPhase::Decode;
  int requests = 0;
  int new_tokens = 0;
  int cached_tokens = 0;
  int micro_batches = 1;
  bool operator==(const StepShape&) const = default;
  auto operator<=>(const StepShape&) const = default;

  int padded_requests() const { return (requests + micro_batches - 1) / micro_batches * micro_batches; }
  int requests_per_micro_batch() const { return padded_requests() / micro_batches; }
  // New tokens one GPU computes in the step (padding included).
  std::int64_t tokens() const { return static_cast<std::int64_t>(padded_requests()) * new_tokens; }
};

// Tokens a decode step runs per sequence: 1, or 2 when the model has an MTP
// module and the workload accepts its drafts with a positive probability.
int decode_tokens_per_request(const config::Scenario& sc);
// Output tokens a decode step yields per sequence on average: 1 + acceptance with MTP.
double output_tokens_per_step(const config::Scenario& sc);

// A step of `requests` requests of `new_tokens` / `cached_tokens` each, in
// the scenario's micro-batches (fewer when there are fewer requests).
StepShape make_step(const config::Scenario& sc, int requests, int new_tokens, int cached_tokens);
// The step the scenario's workload describes.
StepShape nominal_step(const config::Scenario& sc);

// One micro-batch of the step, as the layer work counts it.
cost::MicroBatchShape micro_batch_shape(const StepShape& s);

}  // namespace moeplan::serving
