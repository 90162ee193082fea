// The eager runtime's host launch time: the least-squares fit against traces
// made to a known line, and the floor it puts under a compute op's time.
#include "sim/cost/eager_launch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sim/cost/calibration_fit.h"
#include "sim/cost/cost_model.h"
#include "sim/trace/compare.h"
#include "sim/trace/trace.h"
#include "tests/sim/bundled_scenario.h"
#include "sim/estimate/op_timer.h"
#include "sim/workload/serve_step.h"

namespace moeplan::cost {
namespace {

// Rank 0's compute ops of the single-GPU decode step, back to back, each
// lasting `host(op)` on the host.
struct Case {
  test::BundledScenario b = test::load_bundled("scenarios/h100x1-serve-decode.yaml");
  program::Program p = workload::build_serve_step(b.sc, b.vp, {});
};

template <class Host>
trace::Trace trace_with(const program::Program& p, Host host) {
  trace::Trace t;
  t.source = "runtime";
  double clock = 0;
  for (const auto id : p.by_rank[0]) {
    const auto& op = p.op(id);
    if (op.type != program::OpType::Compute) continue;
    const double h = host(op);
    t.records.push_back({.op = id, .rank = 0, .stream = op.stream, .start_s = clock, .end_s = clock + h, .host_s = h});
    clock += h;
  }
  return t;
}

TEST(EagerLaunch, CountsALibraryCallPerGemmAndAKernelPerKernelTheLatentCoreBoth) {
  const Case c;
  bool saw_latent = false;
  for (const auto& op : c.p.ops) {
    if (op.type != program::OpType::Compute) continue;
    const bool latent = op.part == program::Part::AttentionCore && op.attention.latent;
    saw_latent |= latent;
    EXPECT_EQ(library_calls(op), static_cast<int>(op.gemms.size()) + (latent ? 2 : 0));
    EXPECT_EQ(kernel_launches(op), static_cast<int>(op.kernels.size()) + (latent ? 1 : 0));
  }
  EXPECT_TRUE(saw_latent);
}

TEST(EagerLaunch, FitRecoversThePlaneTheTraceWasMadeWith) {
  const Case c;
  const auto t = trace_with(c.p, [](const program::Op& op) {
    return 2e-6 + 9e-6 * library_calls(op) + 3.5e-6 * kernel_launches(op);
  });
  const auto fit = fit_eager_launch(c.p, t);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->per_op_s, 2e-6, 1e-12);
  EXPECT_NEAR(fit->per_library_call_s, 9e-6, 1e-12);
  EXPECT_NEAR(fit->per_kernel_s, 3.5e-6, 1e-12);
  EXPECT_EQ(fit->ops, static_cast<int>(t.records.size()));
}

// Host time falling with kernels: the best fit with every term >= 0 drops the
// kernel term, which is then the least-squares line over library calls alone.
TEST(EagerLaunch, DropsATermThatWouldBeNegative) {
  const Case c;
  const auto t = trace_with(c.p, [](const program::Op& op) {
    return 40e-6 + 8e-6 * library_calls(op) - 1e-6 * kernel_launches(op);
  });
  const auto fit = fit_eager_launch(c.p, t);
  ASSERT_TRUE(fit);
  EXPECT_EQ(fit->per_kernel_s, 0);
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& r : t.records) {
    const double x = library_calls(c.p.op(r.op));
    n += 1, sx += x, sy += r.host_s, sxx += x * x, sxy += x * r.host_s;
  }
  const double slope = (sxy - sx * sy / n) / (sxx - sx * sx / n);
  EXPECT_NEAR(fit->per_library_call_s, slope, 1e-12);
  EXPECT_NEAR(fit->per_op_s, (sy - slope * sx) / n, 1e-12);
  // A trace without host times (the simulator's) has nothing to fit.
  auto none = t;
  for (auto& r : none.records) r.host_s = -1;
  EXPECT_FALSE(fit_eager_launch(c.p, none));
}

// Through the calibration file to the analytical executor: the host
// enqueues the ops one after another, and no op ends before it is enqueued.
// Host-bound (a host time far above every op's GPU time), the step is the
// host's: the sum of every op's host time. With a negligible host time it is
// the GPU's, as without the fit.
TEST(EagerLaunch, HostTimelineBoundsTheStep) {
  const Case c;
  auto host = [](const program::Op& op) { return 1e-3 + 10e-6 * library_calls(op) + 4e-6 * kernel_launches(op); };
  const auto fit = fit_calibration(c.p, trace_with(c.p, host), c.b.sc.gpu, "test");
  const auto path = (std::filesystem::temp_directory_path() / "moeplan-eager-launch-test.json").string();
  fit.calibration.save(path);
  const auto loaded = Calibration::load(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.eager_launch);
  EXPECT_NEAR(loaded.eager_launch->per_op_s, 1e-3, 1e-12);
  EXPECT_NEAR(loaded.eager_launch->per_library_call_s, 10e-6, 1e-12);
  EXPECT_NEAR(loaded.eager_launch->per_kernel_s, 4e-6, 1e-12);

  const auto& topo = c.b.sc.topology.topology;
  auto span = [&](const CostModel& model) {
    estimate::OpTimer timer(c.p, topo, model, c.b.sc);
    return timer.time(0, 0, static_cast<program::OpId>(c.p.ops.size())).span_s;
  };
  const CostModel plain(c.b.sc.gpu), eager(c.b.sc.gpu, loaded);
  double host_total = 0, longest_gpu = 0;
  for (const auto& op : c.p.ops) {
    host_total += host(op);
    if (op.type == program::OpType::Compute) longest_gpu = std::max(longest_gpu, plain.compute_seconds(op));
  }
  ASSERT_LT(longest_gpu, 1e-3);  // every op host-bound
  EXPECT_NEAR(span(eager), host_total, 1e-9 * host_total);
  Calibration tiny;
  tiny.eager_launch = EagerLaunch{.per_op_s = 1e-12};
  EXPECT_NEAR(span(CostModel(c.b.sc.gpu, tiny)), span(plain), 1e-9 * span(plain));
}

// Runtime traces carry host_s through their JSON; a negative one is refused.
TEST(EagerLaunch, HostTimesRoundTripThroughTheTraceFile) {
  const Case c;
  const auto t = trace_with(c.p, [](const program::Op& op) { return 3e-6 * (1 + kernel_launches(op)); });
  auto j = trace::to_json(t, c.p);
  const auto back = trace::trace_from_json(j, c.p, "t.json");
  ASSERT_EQ(back.records.size(), t.records.size());
  for (std::size_t i = 0; i < t.records.size(); ++i) EXPECT_DOUBLE_EQ(back.records[i].host_s, t.records[i].host_s);
  j["records"][0]["host_s"] = -1;
  EXPECT_THROW(trace::trace_from_json(j, c.p, "t.json"), std::runtime_error);
}

}  // namespace
}  // namespace moeplan::cost
