// Per-link load the engine reports, against cases worked by hand. Each test
// runs in its own process (gtest_discover_tests): one SimGrid engine each.
#include <gtest/gtest.h>

#include "sim/engine/engine_executor.h"
#include "sim/engine/executor.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

// GPU0 -> NVSwitch -> GPU1, 50 GB/s, no latency: one flow of B bytes takes
// B / W seconds and puts B bytes on each of the two links, in the direction
// away from GPU0 on the first and towards GPU1 on the second; nothing flows
// back. Each link is busy the whole step.
TEST(EngineLinkLoad, LoneFlowPutsItsBytesOnEachLinkOfItsRouteInItsDirection) {
  const double bytes = 100e6, Bps = 50e9;
  const auto t = test::node(2, Bps, 0);
  auto p = test::empty_program(2);
  test::add_transfer(p, 0, 1, bytes, 0);
  const auto out = run_program(p, t, test::unit_cost_model());
  EXPECT_NEAR(out.makespan_s, bytes / Bps, 1e-12);
  int loaded = 0;
  for (const auto& l : out.link_loads) {
    if (l.forward_bytes == 0 && l.backward_bytes == 0) continue;
    ++loaded;
    const auto& link = t.link(l.link);
    const auto gpu0 = t.gpu_vertex(0), gpu1 = t.gpu_vertex(1);
    ASSERT_TRUE(link.a == gpu0 || link.b == gpu0 || link.a == gpu1 || link.b == gpu1) << "link " << l.link;
    // forward is a -> b: from GPU0, or into GPU1.
    const bool forward = link.a == gpu0 || link.b == gpu1;
    EXPECT_NEAR(forward ? l.forward_bytes : l.backward_bytes, bytes, bytes * 1e-9) << "link " << l.link;
    EXPECT_EQ(forward ? l.backward_bytes : l.forward_bytes, 0.0) << "link " << l.link;
  }
  EXPECT_EQ(loaded, 2);
}

// Through the pipeline's executor: a link carrying B bytes at W for a step of
// 2 B / W (two flows one after the other share nothing but time: GPU0 -> GPU1,
// then GPU2 -> GPU0 after a compute op of B / W) is busy half of it.
TEST(EngineLinkLoad, ExecutorReportsBusyFractionOfTheStep) {
  const double bytes = 100e6, Bps = 50e9;
  const auto t = test::node(3, Bps, 0);
  auto p = test::empty_program(3);
  test::add_transfer(p, 0, 1, bytes, 0);
  const auto wait = test::add_compute(p, 2, bytes / Bps);
  program::Op s;
  s.rank = 2;
  s.type = program::OpType::Send;
  s.stream = program::Stream::Comm;
  s.part = program::Part::PipelineActivation;
  s.peer = 1;
  s.tag = 1;
  s.bytes = bytes;
  s.deps = {wait};
  p.add(s);
  program::Op r = s;
  r.rank = 1;
  r.type = program::OpType::Recv;
  r.peer = 2;
  r.deps.clear();
  p.add(r);
  const auto e = simgrid_executor()(p, t, test::unit_cost_model(), {});
  EXPECT_NEAR(e.makespan_s, 2 * bytes / Bps, 1e-12);
  ASSERT_TRUE(e.link_usage.is_array());
  // Links: GPU0's uplink (B), GPU2's uplink (B), GPU1's downlink (B from each flow: 2 B, busy throughout).
  ASSERT_EQ(e.link_usage.size(), 3u) << e.link_usage.dump();
  int halves = 0, wholes = 0;
  for (const auto& l : e.link_usage) {
    EXPECT_EQ(l["kind"], "nvlink");
    EXPECT_EQ(l["Bps"].get<double>(), Bps);
    const double busy = l["busy"].get<double>();
    if (std::abs(busy - 0.5) < 1e-9) ++halves;
    if (std::abs(busy - 1.0) < 1e-9) ++wholes;
  }
  EXPECT_EQ(halves, 2) << e.link_usage.dump();
  EXPECT_EQ(wholes, 1) << e.link_usage.dump();
}

}  // namespace
}  // namespace moeplan::engine
