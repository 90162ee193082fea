// Reduced mode's collective replay against the live collective it stands for.
#include <gtest/gtest.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/engine/collective_replay.h"
#include "sim/engine/collectives.h"
#include "sim/engine/platform.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

namespace s4u = simgrid::s4u;

// One SimGrid engine for this test's process, with the engine's flow model.
s4u::Engine& start_engine() {
  static int argc = 1;
  static char name[] = "collective-replay-test";
  static char* argv[] = {name, nullptr};
  xbt_log_control_set("root.thresh:critical");
  static s4u::Engine engine(&argc, argv);
  configure_network_model();
  return engine;
}

// 2 nodes x 8 GPUs, pairwise, every GPU sends c to every other and GPU 3
// holds a hot expert that everyone sends 3c: uneven enough that the busiest
// port, not a symmetric share, sets the duration.
program::Traffic skewed_traffic(double c) {
  auto t = test::uniform_traffic(16, 8, c, 0);
  for (int i = 0; i < 16; ++i)
    if (i != 3) t.gpu_bytes[static_cast<std::size_t>(i)][3] = 3 * c;
  return t;
}

// The live all-to-all (16 member actors) and then the replay of the same
// instance held by rank 0 alone (its measurement, then the held rank's
// replay) run one after the other in one simulation. The measurement runs
// the same flows on the same platform, so it must last as long as the live
// all-to-all, up to floating-point rounding of the clock (1e-9 relative);
// the replay must last as long as the measurement. Its members enter
// together, so the unstaggered measurement is the instance's: it runs once
// (the measuring phase lasts one duration, not two).
TEST(CollectiveReplay, ReplayedAllToAllLastsAsLongAsTheLiveOne) {
  start_engine();
  const auto topo = test::h800_nodes(2);
  const auto cost = test::unit_cost_model();
  const auto traffic = skewed_traffic(4e6);

  auto live = test::empty_program(16);
  test::add_group_all_to_all(live, traffic);
  auto held = test::empty_program(16);  // rank 0's op only: a reduced program
  held.groups = live.groups;
  held.traffic = live.traffic;
  held.add(live.ops.front());

  std::vector<program::OpId> all_members;
  for (const auto& op : live.ops) all_members.push_back(op.id);
  const auto live_flows = instance_flows(live, topo, 0, all_members);
  CollectiveReplay replay(held, topo, cost);
  replay.add_instance(0, 0, {0});

  std::set<int> gpus(replay.gpus());
  auto pairs = replay.pairs();
  std::vector<int> group_gpus;
  for (int g = 0; g < 16; ++g) {
    gpus.insert(g);
    group_gpus.push_back(g);
  }
  for (const auto& pair : collective_pairs(program::CollectiveKind::AllToAll, group_gpus, live_flows)) pairs.insert(pair);
  const Platform platform(topo, gpus, pairs);

  double live_s = -1, replayed_s = -1, measured_s = -1, measuring_s = -1;
  s4u::Actor::create("driver", platform.host(0), [&] {
    double t0 = s4u::Engine::get_clock();
    std::vector<s4u::ActorPtr> members;
    for (int i = 0; i < 16; ++i)
      members.push_back(s4u::Actor::create("live" + std::to_string(i), platform.host(i), run_member,
                                           program::CollectiveKind::AllToAll, std::string("live"), i, 16, 0.0,
                                           live_flows));
    for (auto& m : members) m->join();
    live_s = s4u::Engine::get_clock() - t0;
    t0 = s4u::Engine::get_clock();
    replay.measure_all(platform);
    measuring_s = s4u::Engine::get_clock() - t0;
    measured_s = replay.duration_s(0);
    t0 = s4u::Engine::get_clock();
    replay.replay(0, held.ops.front(), platform);
    replayed_s = s4u::Engine::get_clock() - t0;
  });
  s4u::Engine::get_instance()->run();

  ASSERT_GT(live_s, 0.0);
  EXPECT_NEAR(measured_s, live_s, 1e-9 * live_s);
  EXPECT_NEAR(replayed_s, measured_s, 1e-9 * measured_s);
  EXPECT_EQ(replay.measurement_count(), 1u);
  EXPECT_NEAR(measuring_s, measured_s, 1e-9 * measured_s);
}

}  // namespace
}  // namespace moeplan::engine
