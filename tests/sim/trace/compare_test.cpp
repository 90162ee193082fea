// compare: per-kind sums and errors worked by hand on a three-op program.
#include "sim/trace/compare.h"

#include <gtest/gtest.h>

namespace moeplan::trace {
namespace {

using program::Op;
using program::Part;
using program::Pass;

// Rank 0: attention F (op 0), attention F (op 1), routed_experts F (op 2).
program::Program three_op_program() {
  program::Program p;
  p.world_size = 1;
  auto op = [&](Part part, std::vector<program::OpId> deps) {
    Op o;
    o.rank = 0;
    o.part = part;
    o.pass = Pass::F;
    o.deps = std::move(deps);
    p.add(o);
  };
  op(Part::Attention, {});
  op(Part::Attention, {0});
  op(Part::RoutedExperts, {1});
  return p;
}

Trace trace_of(std::vector<std::pair<double, double>> spans) {
  Trace t;
  for (std::size_t i = 0; i < spans.size(); ++i)
    t.records.push_back({.op = static_cast<program::OpId>(i), .rank = 0, .stream = program::Stream::Compute,
                         .start_s = spans[i].first, .end_s = spans[i].second});
  return t;
}

TEST(CompareTraces, SumsEachKindAndComputesRelativeErrors) {
  const auto p = three_op_program();
  // Simulated: 1 + 1 ms attention, 2 ms experts, step 4 ms.
  const auto sim = trace_of({{0, 1e-3}, {1e-3, 2e-3}, {2e-3, 4e-3}});
  // Measured: 1 + 3 ms attention, 4 ms experts, step 8 ms (from 0 to 8 ms).
  const auto meas = trace_of({{0, 1e-3}, {1e-3, 4e-3}, {4e-3, 8e-3}});
  const auto c = compare_traces(p, sim, meas);
  ASSERT_EQ(c.kinds.size(), 2u);
  EXPECT_EQ(c.kinds[0].kind, "attention F");
  EXPECT_EQ(c.kinds[0].ops, 2);
  EXPECT_DOUBLE_EQ(c.kinds[0].simulated_s, 2e-3);
  EXPECT_DOUBLE_EQ(c.kinds[0].measured_s, 4e-3);
  EXPECT_DOUBLE_EQ(c.kinds[0].relative_error(), -0.5);
  EXPECT_EQ(c.kinds[1].kind, "routed_experts F");
  EXPECT_DOUBLE_EQ(c.kinds[1].relative_error(), -0.5);
  EXPECT_DOUBLE_EQ(c.simulated_step_s, 4e-3);
  EXPECT_DOUBLE_EQ(c.measured_step_s, 8e-3);
  EXPECT_DOUBLE_EQ(c.step_relative_error(), -0.5);
  EXPECT_EQ(c.unmatched_ops, 0);
}

TEST(CompareTraces, CountsOpsMissingFromOneTraceAndLeavesThemOut) {
  const auto p = three_op_program();
  const auto sim = trace_of({{0, 1e-3}, {1e-3, 2e-3}, {2e-3, 4e-3}});
  auto meas = trace_of({{0, 2e-3}});  // a partial trace: the run stopped after op 0
  const auto c = compare_traces(p, sim, meas);
  EXPECT_EQ(c.unmatched_ops, 2);
  ASSERT_EQ(c.kinds.size(), 1u);
  EXPECT_EQ(c.kinds[0].ops, 1);
  EXPECT_DOUBLE_EQ(c.kinds[0].relative_error(), -0.5);
}

TEST(TraceFromJson, RoundTripsWhatToJsonWrites) {
  const auto p = three_op_program();
  auto t = trace_of({{0, 1e-3}, {1e-3, 2e-3}, {2e-3, 4e-3}});
  t.source = "runtime";
  const auto back = trace_from_json(to_json(t, p), p, "mem");
  EXPECT_EQ(back.source, "runtime");
  ASSERT_EQ(back.records.size(), 3u);
  EXPECT_DOUBLE_EQ(back.records[2].end_s, 4e-3);
}

TEST(TraceFromJson, RejectsARecordOfAnOpTheProgramDoesNotHave) {
  const auto p = three_op_program();
  auto j = to_json(trace_of({{0, 1e-3}}), p);
  j["records"][0]["op"] = 7;
  try {
    (void)trace_from_json(j, p, "measured.json");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("measured.json: records[0]: op 7"), std::string::npos) << e.what();
  }
}

TEST(TraceFromJson, RejectsAFileThatIsNotATrace) {
  const auto p = three_op_program();
  EXPECT_THROW((void)trace_from_json(nlohmann::json{{"schema", "moeplan-program"}}, p, "x.json"), std::runtime_error);
}

}  // namespace
}  // namespace moeplan::trace
