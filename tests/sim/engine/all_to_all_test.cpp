// All-to-all timing on H800-style nodes against the busiest-port closed form.
#include <gtest/gtest.h>

#include "sim/comm/port_model.h"
#include "sim/engine/executor.h"
#include "tests/sim/engine/engine_fixtures.h"

namespace moeplan::engine {
namespace {

// 2 nodes x 8 GPUs, hierarchical. Per GPU: its NIC carries one deduplicated
// block of d bytes to the other node; its NVLink port carries 7 direct sends
// of c plus 7 forwards of c for its rail peer: max(d / 50 GB/s, 14 c / 160 GB/s).
TEST(EngineAllToAll, HierarchicalUniformMatchesBusiestPort) {
  const double c = 4e6, d = 6 * c;  // 8 copies per node deduplicate to 6
  auto p = test::empty_program(16);
  p.all_to_all = program::AllToAllAlgorithm::Hierarchical;
  test::add_group_all_to_all(p, test::uniform_traffic(16, 8, c, d));
  const auto out = run_program(p, test::h800_nodes(2), test::unit_cost_model());
  const double expected = std::max(d / 50e9, 14 * c / 160e9);
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.03);
}

// Pairwise on the same nodes: each GPU sends 8 blocks of c across nodes; they
// share its rail's NIC with the NVLink-forwarded blocks of the 7 other GPUs
// that pick this rail (ECMP spreads cross-rail pairs over both detours), so
// the busiest NIC carries at least 8c and the node's 8 NICs carry 64c in all.
TEST(EngineAllToAll, PairwiseUniformIsBoundByTheNics) {
  const double c = 4e6;
  auto p = test::empty_program(16);
  test::add_group_all_to_all(p, test::uniform_traffic(16, 8, c, 0));
  const auto out = run_program(p, test::h800_nodes(2), test::unit_cost_model());
  const double balanced = 8 * c / 50e9;
  EXPECT_GE(out.makespan_s, balanced * 0.99);
  EXPECT_LE(out.makespan_s, balanced * 2.0);  // at worst two rails' share on one NIC
}

// Low-latency on the same nodes (a plane per rail): each GPU's NIC carries
// its 8 copies of c to the other node (no deduplication, none changing
// plane); its NVLink port 7 direct sends plus 7 forwards of c. NIC-bound:
// 8c / 50 GB/s, as the analytical port model costs the same flows.
TEST(EngineAllToAll, LowLatencyUniformIsBoundByEachNicsOwnCopies) {
  const double c = 4e6;
  auto p = test::empty_program(16);
  p.all_to_all = program::AllToAllAlgorithm::LowLatency;
  test::add_group_all_to_all(p, test::uniform_traffic(16, 8, c, 6 * c));
  const auto topo = test::h800_nodes(2);
  const auto out = run_program(p, topo, test::unit_cost_model());
  const double expected = std::max(8 * c / 50e9, 14 * c / 160e9);
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.03);
  std::vector<program::OpId> members;
  std::vector<int> gpus;
  for (const auto& op : p.ops) {
    members.push_back(op.id);
    gpus.push_back(op.rank);
  }
  const comm::PortModel ports(topo);
  EXPECT_NEAR(ports.flows_seconds(comm::instance_flows(p, topo, 0, members), gpus), expected, expected * 1e-9);
}

// One node, pairwise: GPU 3 holds an expert whose load doubles, so every
// other GPU sends it 2c: GPU 3's NVLink port receives 14c instead of 7c and
// the all-to-all takes twice as long.
TEST(EngineAllToAll, DoublingOneExpertsLoadDoublesItsPortTime) {
  const double c = 8e6;
  auto traffic = test::uniform_traffic(8, 8, c, 0);
  for (int i = 0; i < 8; ++i)
    if (i != 3) traffic.gpu_bytes[static_cast<std::size_t>(i)][3] = 2 * c;
  auto p = test::empty_program(8);
  test::add_group_all_to_all(p, traffic);
  const auto out = run_program(p, test::node(8, 160e9, 0.0), test::unit_cost_model());
  const double expected = 14 * c / 160e9;
  EXPECT_NEAR(out.makespan_s, expected, expected * 0.03);
}

}  // namespace
}  // namespace moeplan::engine
