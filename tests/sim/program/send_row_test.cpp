#include <gtest/gtest.h>

#include "sim/program/program.h"

namespace moeplan::program {
namespace {

// A 3-member group {4, 1, 7} and one dispatch-orientation matrix:
//   member 0 sends 10, 20, 30; member 1 sends 40, 50, 60; member 2 sends 70, 80, 90.
Program three_member_program(bool reverse) {
  Program p;
  p.world_size = 8;
  p.groups.push_back({"ep", {4, 1, 7}});
  p.traffic.push_back({{{10, 20, 30}, {40, 50, 60}, {70, 80, 90}}, {}, reverse});
  return p;
}

Op all_to_all_of(int rank, int traffic) {
  Op op;
  op.rank = rank;
  op.type = OpType::Collective;
  op.collective = CollectiveKind::AllToAll;
  op.group = 0;
  op.traffic = traffic;
  return op;
}

TEST(SendRow, IsTheMembersRowOfTheMatrix) {
  const auto p = three_member_program(false);
  EXPECT_EQ(send_row(p, all_to_all_of(1, 0)), (std::vector<double>{40, 50, 60}));  // rank 1 is member 1
}

TEST(SendRow, IsTheMembersColumnWhenTheTrafficFlowsBack) {
  const auto p = three_member_program(true);  // combine: what member i received in dispatch goes back
  EXPECT_EQ(send_row(p, all_to_all_of(7, 0)), (std::vector<double>{30, 60, 90}));  // rank 7 is member 2
}

TEST(SendRow, IsTheOpsOwnSizesWithoutAMatrix) {
  const auto p = three_member_program(false);
  auto op = all_to_all_of(4, -1);
  op.send_bytes = {1, 2, 3};
  EXPECT_EQ(send_row(p, op), op.send_bytes);
}

}  // namespace
}  // namespace moeplan::program
