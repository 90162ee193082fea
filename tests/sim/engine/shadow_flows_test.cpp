// Shadow flows: their rate cap, and the bandwidth they leave to other flows.
#include <gtest/gtest.h>
#include <cstdint>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>
#include <xbt/log.h>

#include "sim/engine/platform.h"
#include "sim/engine/shadow_flows.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

namespace s4u = simgrid::s4u;

// One SimGrid engine for this test's process, with the engine's flow model.
s4u::Engine& start_engine() {
  static int argc = 1;
  static char name[] = "shadow-flows-test";
  static char* argv[] = {name, nullptr};
  xbt_log_control_set("root.thresh:critical");
  static s4u::Engine engine(&argc, argv);
  configure_network_model();
  return engine;
}

// Two GPUs on one NVSwitch, 100 GB/s ports and 1 us per link: the latency
// matters, since SimGrid's TCP-gamma window turns into a rate cap (or, set
// to 0, into dropping explicit rates) on routes with latency.
constexpr double kPortBps = 100e9;
Platform two_gpus() { return Platform(test::node(2, kPortBps, 1e-6), {0, 1}, {{0, 1}, {1, 0}}); }

// A lone shadow flow of B bytes capped at r takes B / r (plus the route's
// microseconds of latency), not B over the port's bandwidth.
TEST(ShadowFlow, LoneShadowLastsItsBytesOverItsRate) {
  start_engine();
  const Platform platform = two_gpus();
  const double bytes = 1e9, rate_Bps = 10e9;
  double out_s = -1, in_s = -1;
  ShadowFlows shadow_flows;
  s4u::Actor::create("held", platform.host(0), [&] {
    double t0 = s4u::Engine::get_clock();
    shadow_flows.start("lone-out", platform.host(1), ShadowDirection::FromHere, bytes, rate_Bps)->wait();
    out_s = s4u::Engine::get_clock() - t0;
    t0 = s4u::Engine::get_clock();
    shadow_flows.start("lone-in", platform.host(1), ShadowDirection::ToHere, bytes, rate_Bps)->wait();
    in_s = s4u::Engine::get_clock() - t0;
  });
  s4u::Engine::get_instance()->run();
  EXPECT_NEAR(out_s, bytes / rate_Bps, 1e-3 * bytes / rate_Bps);
  EXPECT_NEAR(in_s, bytes / rate_Bps, 1e-3 * bytes / rate_Bps);
}

// Three shadows capped at 20 GB/s each leave 40 GB/s of the 100 GB/s port to
// a PP transfer starting beside them: 10 GB take 0.25 s (uncapped, max-min
// would give it a quarter of the port: 0.4 s). Cancelling the shadows
// afterwards ends them and their far ends cleanly.
TEST(ShadowFlow, PipelineTransferGetsTheBandwidthTheShadowsLeave) {
  start_engine();
  const Platform platform = two_gpus();
  const double shadow_Bps = 20e9, shadow_bytes = 100e9, pp_bytes = 10e9;
  double pp_s = -1;
  ShadowFlows shadow_flows;
  s4u::Actor::create("held", platform.host(0), [&] {
    std::vector<s4u::CommPtr> shadows;
    for (int i = 0; i < 3; ++i)
      shadows.push_back(shadow_flows.start("share-" + std::to_string(i), platform.host(1), ShadowDirection::FromHere,
                                           shadow_bytes, shadow_Bps));
    const double t0 = s4u::Engine::get_clock();
    s4u::Comm::sendto(platform.host(0), platform.host(1), static_cast<std::uint64_t>(pp_bytes));
    pp_s = s4u::Engine::get_clock() - t0;
    for (auto& c : shadows) c->cancel();
  });
  s4u::Engine::get_instance()->run();
  const double expected_s = pp_bytes / (kPortBps - 3 * shadow_Bps);
  EXPECT_NEAR(pp_s, expected_s, 1e-3 * expected_s);
}


// Carried shadows (ShadowFlows::carry) enter the flow model only while an
// observer shares a link with them. Three flows out of GPU 0 capped at
// 20 GB/s for 10 s; a PP transfer of 10 GB from GPU 0 starting at 2 s sees
// them with the bytes they have left and gets the 40 GB/s they leave: 0.25 s,
// as beside the eager shadows above. The carry lasts its 10 s.
TEST(ShadowFlow, PipelineTransferMidCarryGetsTheBandwidthTheShadowsLeave) {
  start_engine();
  const Platform platform = two_gpus();
  const double shadow_Bps = 20e9, carry_s = 10, pp_bytes = 10e9, pp_start_s = 2;
  double pp_s = -1, carry_end_s = -1;
  ShadowFlows shadow_flows;
  const std::vector<ShadowFlow> flows(3, {ShadowDirection::FromHere, shadow_Bps * carry_s});
  s4u::Actor::create("held", platform.host(0), [&] {
    shadow_flows.carry("c", platform.host(1), flows, carry_s);
    carry_end_s = s4u::Engine::get_clock();
  });
  s4u::Actor::create("pp", platform.host(0), [&] {
    s4u::this_actor::sleep_for(pp_start_s);
    const auto seen = shadow_flows.observe(platform.host(0), platform.host(1));
    s4u::Comm::sendto(platform.host(0), platform.host(1), static_cast<std::uint64_t>(pp_bytes));
    pp_s = s4u::Engine::get_clock() - pp_start_s;
  });
  s4u::Engine::get_instance()->run();
  const double expected_s = pp_bytes / (kPortBps - 3 * shadow_Bps);
  EXPECT_NEAR(pp_s, expected_s, 1e-3 * expected_s);
  EXPECT_DOUBLE_EQ(carry_end_s, carry_s);
  EXPECT_EQ(shadow_flows.entries(), 1u);
}

// A carry that no flow shares a link with never enters the flow model. Here
// the only other flow runs into GPU 0 while the shadows go out of it: on
// split-duplex links they share nothing, and the transfer gets the whole port.
TEST(ShadowFlow, TransferTheOtherWayNeitherSeesNorBringsInTheShadows) {
  start_engine();
  const Platform platform = two_gpus();
  const double shadow_Bps = 20e9, carry_s = 10, pp_bytes = 10e9;
  double pp_s = -1;
  ShadowFlows shadow_flows;
  const std::vector<ShadowFlow> flows(3, {ShadowDirection::FromHere, shadow_Bps * carry_s});
  s4u::Actor::create("held", platform.host(0), [&] { shadow_flows.carry("c", platform.host(1), flows, carry_s); });
  s4u::Actor::create("pp", platform.host(1), [&] {
    s4u::this_actor::sleep_for(1);
    const auto seen = shadow_flows.observe(platform.host(1), platform.host(0));
    s4u::Comm::sendto(platform.host(1), platform.host(0), static_cast<std::uint64_t>(pp_bytes));
    pp_s = s4u::Engine::get_clock() - 1;
  });
  s4u::Engine::get_instance()->run();
  EXPECT_NEAR(pp_s, pp_bytes / kPortBps, 1e-3 * pp_bytes / kPortBps);
  EXPECT_EQ(shadow_flows.entries(), 0u);
  EXPECT_EQ(shadow_flows.unobserved_carries(), 1u);
}

// An observer already in flight when the carry starts brings the shadows in
// at once: 5 GB of a 10 GB transfer go alone at 100 GB/s (0.05 s), the other
// 5 GB beside the shadows at 40 GB/s (0.125 s).
TEST(ShadowFlow, CarryStartingUnderAnObserverEntersAtOnce) {
  start_engine();
  const Platform platform = two_gpus();
  const double shadow_Bps = 20e9, carry_s = 10, pp_bytes = 10e9, carry_start_s = 0.05;
  double pp_s = -1;
  ShadowFlows shadow_flows;
  const std::vector<ShadowFlow> flows(3, {ShadowDirection::FromHere, shadow_Bps * carry_s});
  s4u::Actor::create("held", platform.host(0), [&] {
    s4u::this_actor::sleep_for(carry_start_s);
    shadow_flows.carry("c", platform.host(1), flows, carry_s);
  });
  s4u::Actor::create("pp", platform.host(0), [&] {
    const auto seen = shadow_flows.observe(platform.host(0), platform.host(1));
    s4u::Comm::sendto(platform.host(0), platform.host(1), static_cast<std::uint64_t>(pp_bytes));
    pp_s = s4u::Engine::get_clock();
  });
  s4u::Engine::get_instance()->run();
  const double alone_bytes = kPortBps * carry_start_s;
  const double expected_s = carry_start_s + (pp_bytes - alone_bytes) / (kPortBps - 3 * shadow_Bps);
  EXPECT_NEAR(pp_s, expected_s, 1e-3 * expected_s);
}

}  // namespace
}  // namespace moeplan::engine
