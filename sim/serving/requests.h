// The requests of a serving stream: Poisson arrivals at a rate, or a JSONL
// trace, one request per line:
//   {"arrival_s": 0.25, "prompt_tokens": 4096, "output_tokens": 512, "cached_tokens": 2048}
// (cached_tokens: the prompt's prefix found in the prefix cache, optional, 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/serving_workload.h"

namespace moeplan::serving {

struct Request {
  double arrival_s = 0;
  int prompt_tokens = 0;
  int output_tokens = 0;
  int cached_tokens = 0;  // < prompt_tokens: the last prompt token is always computed
  bool operator==(const Request&) const = default;
};

// A uniform double in [0, 1) from 53 bits of a 64-bit generator (the same on
// every standard library, unlike std::uniform_real_distribution).
double unit_interval(std::uint64_t bits);

// Arrivals at `rate_per_s` over [0, duration_s) with exponential gaps drawn
// from `seed`; every request has the traffic's prompt and output lengths and
// round(cached_fraction x prompt) cached tokens (at most prompt - 1).
std::vector<Request> poisson_requests(const config::ServingTraffic& t);

// Reads a JSONL trace; throws std::runtime_error naming the file, the line
// and the field (missing, not a number, out of range, arrivals out of order).
std::vector<Request> read_request_trace(const std::string& path);

// The traffic's requests: its trace, or Poisson arrivals.
std::vector<Request> traffic_requests(const config::ServingTraffic& t);

}  // namespace moeplan::serving
