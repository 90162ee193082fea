// The request stream over pools of attention TP groups (the December 2024
// deployment, shortened to 20 s of traffic): GPU counts, per-group budgets,
// conservation of tokens.
#include "sim/serving/traffic_simulation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/sim/scenario_text.h"

namespace moeplan::serving {
namespace {

TEST(TrafficSimulation, SpreadsRequestsOverTensorParallelGroups) {
  auto text = test::bundled_scenario_text("scenarios/deepseek-v3-serve-day-dec2024.yaml");
  text = test::replace(text, "prefill: deepseek-v3-serve-prefill-tp4.yaml",
                       "prefill: " + test::source_path("scenarios/deepseek-v3-serve-prefill-tp4.yaml"));
  text = test::replace(text, "duration_s: 600", "duration_s: 20");
  const auto path = (std::filesystem::temp_directory_path() / "moeplan-traffic-tp-test.yaml").string();
  std::ofstream(path) << text;
  Diagnostics diag;
  const auto sc = config::load_scenario(path, diag);
  const auto vp = diag.empty() ? plan::validate_plan(sc, diag) : std::nullopt;
  std::filesystem::remove(path);
  ASSERT_TRUE(diag.empty() && vp) << diag.to_string();
  const auto r = simulate_traffic(sc, *vp, "");
  const auto& m = r.metrics;
  // Two prefill units of 32 GPUs (8 TP4 groups each), one decode unit of 320 (80 groups).
  EXPECT_EQ(m["prefill_gpus"], 64);
  EXPECT_EQ(m["decode_gpus"], 320);
  EXPECT_EQ(m["tp"]["prefill"], 4);
  EXPECT_EQ(m["tp"]["decode"], 4);
  // A prefill group takes tp x batch prompts' tokens per step: 4 x 4 x 2048,
  // here 16 prompts of about 4608 x 0.44 = 2028 uncached tokens (32768 / 2028
  // rounded down); a decode group at most tp x batch = 48 sequences.
  ASSERT_GT(r.sim.prefill_steps, 0u);
  int most_prefilled = 0;
  for (const auto& s : r.sim.steps) {
    EXPECT_GE(s.requests, 1);
    EXPECT_LE(s.requests, s.prefill ? 8 * 16 : 80 * 48);
    if (s.prefill) most_prefilled = std::max(most_prefilled, s.requests);
  }
  EXPECT_GT(most_prefilled, 8 * 4);  // more than a group of one GPU's budget would take
  // Every prompt token prefilled or a cache hit; every output token produced once.
  EXPECT_EQ(m["tokens"]["prompt"], m["tokens"]["prefilled"].get<std::int64_t>() + m["tokens"]["cache_hits"].get<std::int64_t>());
  EXPECT_EQ(m["tokens"]["output_produced"], m["tokens"]["output_requested"]);
  EXPECT_GT(m["requests"].get<int>(), 1500);  // 100 per second for 20 s
}

}  // namespace
}  // namespace moeplan::serving
