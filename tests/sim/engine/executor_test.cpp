// Engine physics against closed forms. Each test runs in its own process
// (gtest_discover_tests), as SimGrid allows one engine per process.
#include "sim/engine/executor.h"

#include <gtest/gtest.h>
#include <map>

#include "sim/engine/collectives.h"
#include "sim/schedule/generate.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

using program::OpType;

// GPU0 -> NVSwitch -> GPU1: two links of 50 GB/s and 1 us each.
TEST(EngineFlowModel, LoneTransferTakesBytesOverBandwidthPlusLatency) {
  const auto t = test::node(2, 50e9, 1e-6);
  auto p = test::empty_program(2);
  test::add_transfer(p, 0, 1, 100e6, 0);
  const auto out = run_program(p, t, test::unit_cost_model());
  const double expected = 100e6 / 50e9 + 2e-6;
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.005);
}

// GPU0 sends to GPU1 and GPU2 at once: both flows share GPU0's uplink.
TEST(EngineFlowModel, TwoFlowsOnOneLinkShareItsBandwidth) {
  const auto t = test::node(3, 50e9, 1e-6);
  auto p = test::empty_program(3);
  test::add_transfer(p, 0, 1, 100e6, 0);
  test::add_transfer(p, 0, 2, 100e6, 1);
  const auto out = run_program(p, t, test::unit_cost_model());
  const double expected = 2 * 100e6 / 50e9 + 2e-6;
  for (const auto& r : out.trace.records) EXPECT_NEAR(r.end_s, expected, expected * 0.005);
}

// The eager runtime's host timeline: no op ends before the host has
// enqueued it, and the host enqueues ops one after another without waiting
// for the GPU (cost/eager_launch.h).
cost::CostModel eager_unit_model(double host_per_op_s) {
  cost::Calibration cal;
  cal.eager_launch = cost::EagerLaunch{.per_op_s = host_per_op_s};
  return cost::CostModel(test::unit_cost_model().gpu(), cal);
}

// Host 2 ms per op; GPU 5 ms, then 0.1 ms: the second op's host time hides
// behind the first's GPU time, so they end at 5 and 5.1 ms (not 5 + 2).
TEST(EngineHostTimeline, HostTimeHidesBehindEarlierGpuTime) {
  auto p = test::empty_program(1);
  const auto a = test::add_compute(p, 0, 5e-3);
  test::add_compute(p, 0, 1e-4, {a});
  const auto out = run_program(p, test::node(1, 50e9, 1e-6), eager_unit_model(2e-3));
  ASSERT_EQ(out.trace.records.size(), 2u);
  EXPECT_NEAR(out.trace.records[0].end_s, 5e-3, 1e-9);
  EXPECT_NEAR(out.trace.records[1].end_s, 5.1e-3, 1e-9);
}

// GPU 1 ms per op under a 3 ms host: the ops end as the host gets to them.
TEST(EngineHostTimeline, HostBoundOpsEndAsTheHostEnqueuesThem) {
  auto p = test::empty_program(1);
  program::OpId before = test::add_compute(p, 0, 1e-3);
  for (int i = 1; i < 3; ++i) before = test::add_compute(p, 0, 1e-3, {before});
  const auto out = run_program(p, test::node(1, 50e9, 1e-6), eager_unit_model(3e-3));
  ASSERT_EQ(out.trace.records.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out.trace.records[static_cast<std::size_t>(i)].end_s, 3e-3 * (i + 1), 1e-9);
  EXPECT_NEAR(out.makespan_s, 9e-3, 1e-9);
}

// Ring all-reduce of B bytes over n GPUs: 2(n-1) steps of B/n, each step
// crossing two links (latency 2 alpha): 2(n-1)/n * B/bw + 2(n-1) * 2 alpha.
TEST(EngineCollectives, RingAllReduceMatchesAlphaBeta) {
  const int n = 8;
  const double bytes = 256e6, bw = 160e9, alpha = 1e-6;
  const auto t = test::node(n, bw, alpha);
  auto p = test::empty_program(n);
  p.groups.push_back({"dp", {0, 1, 2, 3, 4, 5, 6, 7}});
  for (int r = 0; r < n; ++r) {
    program::Op op;
    op.rank = r;
    op.type = OpType::Collective;
    op.stream = program::Stream::Comm;
    op.part = program::Part::GradSync;
    op.collective = program::CollectiveKind::AllReduce;
    op.group = 0;
    op.instance = 0;
    op.bytes = bytes;
    p.add(op);
  }
  const auto out = run_program(p, t, test::unit_cost_model());
  const double expected = 2.0 * (n - 1) / n * bytes / bw + 2.0 * (n - 1) * 2 * alpha;
  EXPECT_EQ(ring_steps(program::CollectiveKind::AllReduce, n), 2 * (n - 1));
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.02);
}

// Uniform all-to-all on one NVSwitch node: each GPU pushes (n-1) x s bytes
// through its own link: (n-1) s / bw + 2 alpha.
TEST(EngineCollectives, UniformAllToAllIsBoundByEachGpusLink) {
  const int n = 8;
  const double per_pair = 8e6, bw = 160e9, alpha = 1e-6;
  const auto t = test::node(n, bw, alpha);
  auto p = test::empty_program(n);
  test::add_group_all_to_all(p, test::uniform_traffic(n, n, per_pair, 0));
  const auto out = run_program(p, t, test::unit_cost_model());
  const double expected = (n - 1) * per_pair / bw + 2 * alpha;
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.02);
}

// 1F1B with constant F and B and free communication (cross-rank dependencies
// without transfers): makespan (N + P - 1)(F + B).
TEST(EnginePipeline, OneFOneBMakespanIsClosedForm) {
  const int pp = 4, n = 8;
  const double f = 1e-3, b = 2e-3;
  const auto sched = schedule::generate(schedule::Kind::OneFOneB, pp, n);
  const auto t = test::node(pp, 50e9, 1e-6);
  auto p = test::empty_program(pp);
  std::map<std::pair<int, int>, program::OpId> fwd, bwd;  // (stage, mb) -> op
  // Ops must be added after their dependencies: sweep the ranks' op lists in
  // rounds, adding each rank's next op once its inputs exist.
  std::vector<std::size_t> next(pp, 0);
  bool progress = true;
  while (progress) {
    progress = false;
    for (int r = 0; r < pp; ++r) {
      auto& i = next[static_cast<std::size_t>(r)];
      if (i >= sched.ranks[static_cast<std::size_t>(r)].size()) continue;
      const auto& op = sched.ranks[static_cast<std::size_t>(r)][i];
      const int mb = op.pass.mb;
      std::vector<program::OpId> deps;
      if (op.kind == schedule::OpKind::F) {
        if (r > 0) {
          if (!fwd.count({r - 1, mb})) continue;
          deps.push_back(fwd[{r - 1, mb}]);
        }
        fwd[{r, mb}] = test::add_compute(p, r, f, deps);
      } else {
        if (r < pp - 1) {
          if (!bwd.count({r + 1, mb})) continue;
          deps.push_back(bwd[{r + 1, mb}]);
        }
        bwd[{r, mb}] = test::add_compute(p, r, b, deps);
      }
      ++i;
      progress = true;
    }
  }
  const auto out = run_program(p, t, test::unit_cost_model());
  EXPECT_EQ(out.trace.records.size(), static_cast<std::size_t>(2 * n * pp));
  EXPECT_NEAR(out.makespan_s, (n + pp - 1) * (f + b), 1e-9);
}

}  // namespace
}  // namespace moeplan::engine
