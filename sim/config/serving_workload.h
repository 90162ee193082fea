// `workload: {kind: serving, ...}`: one step of a serving pool (prefill or
// decode, disaggregated as DeepSeek deploys V3), and optionally a stream of
// requests over a prefill and a decode pool (docs/serving.md).
//
//   workload:
//     kind: serving
//     phase: decode            # prefill | decode: the step this scenario's plan runs
//     batch: 64                # requests per GPU in one step (prefill: prompts per GPU)
//     context_tokens: 4989     # decode: tokens in each request's KV cache
//     prompt_tokens: 2048      # prefill: uncached prompt tokens per request
//     cached_tokens: 2600      # prefill: prompt tokens found in the prefix cache
//     micro_batches: 2         # dual micro-batch overlap (1: none)
//     mtp_acceptance: 0.85     # decode with the model's MTP module: the draft token's acceptance
//     price_per_gpu_hour: 2.0  # for the cost per million tokens (currency units per GPU-hour)
//     traffic:                 # requests over time (this scenario is then the decode pool's unit)
//       prefill: deepseek-v3-serve-prefill-ep32.yaml   # the prefill pool's unit
//       prefill_units: 4
//       decode_units: 1
//       arrivals: poisson      # poisson (rate_per_s, duration_s) | trace (trace: requests.jsonl)
//       rate_per_s: 20
//       duration_s: 600
//       prompt_tokens: 4096    # per request (Poisson)
//       output_tokens: 512
//       cached_fraction: 0.56  # share of each prompt found in the prefix cache
//       seed: 1
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/config/yaml_reader.h"

namespace moeplan::config {

enum class ServingPhase : std::uint8_t { Prefill, Decode };
const char* to_string(ServingPhase p);

enum class Arrivals : std::uint8_t { Poisson, Trace };

// Requests over time across a prefill and a decode pool.
struct ServingTraffic {
  std::string prefill_scenario;  // resolved path of the prefill unit's scenario
  int prefill_units = 1, decode_units = 1;
  Arrivals arrivals = Arrivals::Poisson;
  std::string trace_file;  // resolved; JSONL (docs/serving.md)
  double rate_per_s = 0;
  double duration_s = 0;
  int prompt_tokens = 0, output_tokens = 0;
  double cached_fraction = 0;
  std::uint64_t seed = 1;
  bool operator==(const ServingTraffic&) const = default;
};

struct ServingWorkload {
  ServingPhase phase = ServingPhase::Decode;
  int batch = 0;
  int prompt_tokens = 0, cached_tokens = 0;  // prefill
  int context_tokens = 0;                    // decode
  int micro_batches = 2;
  double mtp_acceptance = 0;
  double price_per_gpu_hour = 0;
  std::optional<ServingTraffic> traffic;
  bool operator==(const ServingWorkload&) const = default;
};

// Reads the fields after `kind` of a serving workload mapping; problems go to
// r's diagnostics (file, line, field). Does not call r.finish().
ServingWorkload read_serving_workload(YamlReader& r);

}  // namespace moeplan::config
