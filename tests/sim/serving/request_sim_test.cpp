// The request-level simulation against closed forms: one request's TTFT is
// its prefill step; Little's law on a long Poisson run; tokens conserved.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/serving/request_sim.h"

namespace moeplan::serving {
namespace {

// Step times linear in the batch: easy to compute by hand.
RequestSimConfig linear_config() {
  RequestSimConfig c;
  c.prefill_units = 2;
  c.prefill_ranks_per_unit = 4;
  c.decode_units = 1;
  c.decode_ranks_per_unit = 8;
  c.prefill_token_budget_per_rank = 4096;
  c.decode_max_requests_per_rank = 64;
  c.decode_kv_capacity_tokens_per_rank = 1e7;
  c.kv_transfer_s_per_token = 1e-6;
  c.kv_transfer_latency_s = 1e-5;
  c.decode_tokens_per_step = 2;
  c.mtp_acceptance = 0.85;
  c.prefill_step_s = [](const GpuBatch& b) { return 0.01 + 1e-5 * b.requests * b.new_tokens; };
  c.decode_step_s = [](const GpuBatch& b) { return 0.02 + 1e-4 * b.requests; };
  return c;
}

TEST(RequestSimulation, SingleRequestTtftIsItsPrefillStep) {
  auto c = linear_config();
  const Request q{1.5, 3000, 10, 1000};
  const auto r = simulate_requests({q}, c);
  ASSERT_EQ(r.requests.size(), 1u);
  const auto& o = r.requests[0];
  const double prefill = 0.01 + 1e-5 * 1 * 2000;  // one request of 2000 uncached tokens
  EXPECT_NEAR(o.first_token_s - q.arrival_s, prefill, 1e-12);
  EXPECT_NEAR(o.decode_start_s, o.first_token_s + 1e-5 + 1e-6 * 3000, 1e-12);  // KV transfer of the whole prompt
  EXPECT_EQ(o.decoded_tokens, 9);
  // Each decode step of one request lasts 0.02 + 1e-4 and yields 1 or 2 tokens.
  const double steps = (o.finish_s - o.decode_start_s) / (0.02 + 1e-4);
  EXPECT_NEAR(steps, std::round(steps), 1e-9);
  EXPECT_GE(steps, 5);
  EXPECT_LE(steps, 9);
}

TEST(RequestSimulation, LittlesLawHoldsOnALongPoissonRun) {
  auto c = linear_config();
  config::ServingTraffic t;
  t.rate_per_s = 50;
  t.duration_s = 400;
  t.prompt_tokens = 2000;
  t.output_tokens = 100;
  t.cached_fraction = 0.5;
  t.seed = 7;
  const auto requests = poisson_requests(t);
  ASSERT_GT(requests.size(), 15000u);
  const auto r = simulate_requests(requests, c);
  double latency = 0;
  for (const auto& o : r.requests) latency += o.finish_s - o.request.arrival_s;
  latency /= static_cast<double>(r.requests.size());
  // L (time-average requests in the system, integrated from the event times) = lambda W.
  const double l = r.requests_in_system_s / t.duration_s;
  EXPECT_NEAR(l / (t.rate_per_s * latency), 1.0, 0.02);
}

TEST(RequestSimulation, ConservesTokens) {
  auto c = linear_config();
  std::vector<Request> requests;
  for (int i = 0; i < 500; ++i) requests.push_back({0.01 * i, 100 + 37 * (i % 50), 1 + (i * 13) % 200, (i % 7) * 10});
  const auto r = simulate_requests(requests, c);
  std::int64_t prompt = 0, cached = 0, decode = 0;
  for (const auto& q : requests) prompt += q.prompt_tokens, cached += q.cached_tokens, decode += q.output_tokens - 1;
  EXPECT_EQ(r.prefilled_tokens + r.cache_hit_tokens, prompt);  // every prompt token prefilled or served from cache
  EXPECT_EQ(r.cache_hit_tokens, cached);
  EXPECT_EQ(r.decoded_tokens, decode);                          // every output token after the first decoded once
  for (const auto& o : r.requests) {
    EXPECT_EQ(o.decoded_tokens, o.request.output_tokens - 1);
    EXPECT_GE(o.finish_s, o.first_token_s);
    EXPECT_GT(o.first_token_s, o.request.arrival_s);
  }
}

TEST(RequestSimulation, IsDeterministic) {
  auto c = linear_config();
  config::ServingTraffic t;
  t.rate_per_s = 20;
  t.duration_s = 30;
  t.prompt_tokens = 1000;
  t.output_tokens = 50;
  const auto a = simulate_requests(poisson_requests(t), c);
  const auto b = simulate_requests(poisson_requests(t), c);
  ASSERT_EQ(a.requests.size(), b.requests.size());
  for (std::size_t i = 0; i < a.requests.size(); ++i) EXPECT_EQ(a.requests[i].finish_s, b.requests[i].finish_s);
}

TEST(RequestSimulation, RejectsARequestWhoseKvCacheCannotFit) {
  auto c = linear_config();
  c.decode_kv_capacity_tokens_per_rank = 1000;
  try {
    simulate_requests({{0, 900, 200, 0}}, c);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1100 tokens of KV cache"), std::string::npos) << e.what();
  }
}

TEST(RequestSimulation, QuantileIsNearestRank) {
  EXPECT_EQ(quantile({5, 1, 4, 2, 3}, 0.5), 3);
  EXPECT_EQ(quantile({5, 1, 4, 2, 3}, 0.99), 5);
  EXPECT_EQ(quantile({}, 0.5), 0);
}

}  // namespace
}  // namespace moeplan::serving
