// F&B overlap and the SM partition, against hand-worked timelines.
#include <gtest/gtest.h>

#include "sim/engine/executor.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

using program::Stream;

program::OpId add_all_to_all(program::Program& p, int rank, Stream stream, double per_peer, int instance,
                             std::vector<program::OpId> deps) {
  program::Op op;
  op.rank = rank;
  op.type = program::OpType::Collective;
  op.stream = stream;
  op.part = program::Part::Dispatch;
  op.collective = program::CollectiveKind::AllToAll;
  op.group = 0;
  op.instance = instance;
  op.send_bytes = {per_peer, per_peer};
  op.deps = std::move(deps);
  return p.add(std::move(op)).id;
}

program::OpId add_compute_on(program::Program& p, int rank, Stream s, double seconds, std::vector<program::OpId> deps) {
  const auto id = test::add_compute(p, rank, seconds, std::move(deps));
  p.ops[static_cast<std::size_t>(id)].stream = s;
  return id;
}

// Per rank: F chunk = A (1 ms), all-to-all (1 ms), A2 (1 ms, after the
// all-to-all); then B1 (2 ms) on `b_stream`.
double chunk_pair_makespan(Stream b_stream) {
  const double ms = 1e-3, bw = 100e9;
  const auto t = test::node(2, bw, 0.0);
  auto p = test::empty_program(2);
  p.groups.push_back({"ep", {0, 1}});
  for (int r = 0; r < 2; ++r) {
    const auto a = add_compute_on(p, r, Stream::Compute, 1 * ms, {});
    const auto x = add_all_to_all(p, r, Stream::Comm, bw * 1 * ms, 0, {a});
    add_compute_on(p, r, Stream::Compute, 1 * ms, {x});
    add_compute_on(p, r, b_stream, 2 * ms, {});
  }
  return run_program(p, t, test::unit_cost_model()).makespan_s;
}

// B1 on the backward chunk's stream: A and B1 share the GPU (A ends at 2 ms),
// the all-to-all runs 2..3 ms while B1 finishes alone, A2 runs 3..4 ms: the
// step takes exactly the 4 ms of compute.
TEST(EngineOverlap, FandBChunksHideEachOthersCommunication) {
  EXPECT_NEAR(chunk_pair_makespan(Stream::ComputeB), 4e-3, 4e-9);
}

// B1 on the same stream: nothing overlaps, 1 + 1 + 1 + 2 ms.
TEST(EngineOverlap, OneStreamSerialisesComputeAndCommunication) {
  EXPECT_NEAR(chunk_pair_makespan(Stream::Compute), 5e-3, 5e-9);
}

// Communication kernels holding 33 of 132 SMs leave 3/4 of the GPU to a
// compute op that runs while the (longer) all-to-all is in flight.
TEST(EngineOverlap, CommunicationSmsSlowOverlappedCompute) {
  const double ms = 1e-3, bw = 100e9;
  const auto t = test::node(2, bw, 0.0);
  auto p = test::empty_program(2);
  p.comm_sms = 33;  // the unit GPU has 132 SMs
  p.groups.push_back({"ep", {0, 1}});
  program::OpId compute0 = -1;
  for (int r = 0; r < 2; ++r) {
    add_all_to_all(p, r, Stream::Comm, bw * 5 * ms, 0, {});
    const auto c = add_compute_on(p, r, Stream::Compute, 1 * ms, {});
    if (r == 0) compute0 = c;
  }
  const auto out = run_program(p, t, test::unit_cost_model());
  for (const auto& rec : out.trace.records) {
    if (rec.op == compute0) {
      EXPECT_NEAR(rec.duration_s(), 1 * ms * 132.0 / 99.0, 1e-9);
    }
  }
  EXPECT_NEAR(out.makespan_s, 5 * ms, 5 * ms * 1e-6);
}

}  // namespace
}  // namespace moeplan::engine
