#include "sim/program/program.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "sim/util/check.h"
#include "tests/sim/program/small_program.h"

namespace moeplan::program {
namespace {

// check_program's message for `p`, empty when it accepts the program.
std::string rejection(const Program& p) {
  try {
    check_program(p);
  } catch (const InvariantError& e) {
    return e.what();
  }
  return {};
}

// The program with one thing broken, and what the message must say.
::testing::AssertionResult rejected_naming(const std::function<void(Program&)>& breaking,
                                           const std::vector<std::string>& fragments) {
  auto p = small_program();
  breaking(p);
  const auto message = rejection(p);
  if (message.empty()) return ::testing::AssertionFailure() << "check_program accepted the broken program";
  for (const auto& f : fragments)
    if (message.find(f) == std::string::npos)
      return ::testing::AssertionFailure() << "message lacks \"" << f << "\": " << message;
  return ::testing::AssertionSuccess();
}

// Each test breaks one thing of small_program() and expects check_program to
// name the op ids.

TEST(CheckProgram, AcceptsAWellFormedProgram) { EXPECT_EQ(rejection(small_program()), ""); }

TEST(CheckProgram, RejectsIdsOutOfOrder) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[3].id = 5; }, {"op at index 3 has id 5"}));
}

TEST(CheckProgram, RejectsARankOutsideTheWorld) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[3].rank = 7; }, {"op 3: rank 7", "world of 4"}));
}

TEST(CheckProgram, RejectsADependencyOnAMissingOp) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[3].deps.push_back(42); }, {"op 3 depends on op 42", "does not exist"}));
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[3].deps.push_back(-1); }, {"op 3 depends on op -1"}));
}

TEST(CheckProgram, RejectsAForwardDependency) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[0].deps.push_back(3); }, {"op 0 depends on op 3", "forward"}));
}

// Op 1 already waits for op 0; op 0 waiting for op 1 closes a cycle.
TEST(CheckProgram, RejectsADependencyCycle) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[0].deps.push_back(1); }, {"op 0 depends on op 1", "cycle"}));
}

TEST(CheckProgram, RejectsAnOpThatDependsOnItself) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[3].deps.push_back(3); }, {"op 3 depends on op 3"}));
}

// The receive listens on another tag: the send 0->2 tag 0 has no receive.
TEST(CheckProgram, RejectsASendWithNoReceive) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[2].tag = 5; },
                              {"recv op 2", "with tag 5 has no matching send"}));
}

// The send goes to rank 3 instead: the receive on rank 2 waits for nothing.
TEST(CheckProgram, RejectsAReceiveWithNoSend) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[1].peer = 3; },
                              {"recv op 2", "has no matching send"}));
}

TEST(CheckProgram, RejectsAPeerOutsideTheWorld) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[1].peer = 4; }, {"send op 1: peer 4", "world of 4"}));
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[2].peer = -1; }, {"recv op 2: peer -1"}));
}

// In a reduced program a rank that holds no ops stands for a replica: a
// transfer with it has only its held side in the program.
TEST(CheckProgram, AcceptsUnpairedTransfersWithARankThatHoldsNoOps) {
  auto p = small_program();
  p.reduced = true;
  p.world_size = 5;
  p.by_rank.resize(5);  // rank 4 holds no ops
  p.ops[1].peer = 4;    // rank 0 sends to rank 4
  p.ops[2].peer = 4;    // rank 2 receives from rank 4
  EXPECT_EQ(rejection(p), "");
}

TEST(CheckProgram, RejectsCollectiveMembersDisagreeingOnKind) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[7].collective = CollectiveKind::AllGather; },
                              {"collective instance 1: op 6 is all_reduce but op 7 is all_gather"}));
}

TEST(CheckProgram, RejectsCollectiveMembersDisagreeingOnGroup) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[5].group = 1; },
                              {"collective instance 0 spans groups 0 (op 4) and 1 (op 5)"}));
}

TEST(CheckProgram, RejectsAGroupIndexOutOfRange) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[4].group = 9; }, {"collective op 4: group 9", "2 groups"}));
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[6].group = -1; }, {"collective op 6: group -1"}));
}

TEST(CheckProgram, RejectsAMemberOutsideItsGroup) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.groups[0].ranks = {0, 3}; },
                              {"collective op 5: its rank 1 is not a member of group 0"}));
}

TEST(CheckProgram, RejectsTwoMembersOnOneRank) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[5].rank = 0; },
                              {"collective instance 0: rank 0 holds two members, ops 4 and 5"}));
}

TEST(CheckProgram, RejectsAnInstanceMissingAMemberInAFullProgram) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[9].instance = 2; },
                              {"collective instance 1 (op 6) has 3 members, group 1 has 4"}));
}

TEST(CheckProgram, RejectsACollectiveWithoutAnInstance) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[6].instance = -1; }, {"collective op 6 has no instance"}));
}

TEST(CheckProgram, RejectsSendSizesForAnotherGroupSize) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[4].send_bytes = {300}; },
                              {"all-to-all op 4 has 1 send sizes for a group of 2"}));
}

TEST(CheckProgram, RejectsATrafficIndexOutOfRange) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[5].traffic = 1; },
                              {"all-to-all op 5: traffic 1 is outside the program's 1 traffic matrices"}));
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[4].traffic = -2; }, {"all-to-all op 4: traffic -2"}));
}

TEST(CheckProgram, RejectsATrafficMatrixOfAnotherGroupSize) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.traffic[0].gpu_bytes.push_back({0, 0}); },
                              {"all-to-all op 4: traffic 0 does not match its group's size"}));
}

TEST(CheckProgram, RejectsALeadIndexOutOfRange) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.ops[5].lead = 2; },
                              {"all-to-all op 5: lead 2 is outside the program's 1 leads"}));
}

TEST(CheckProgram, RejectsALeadOfAnotherGroupSize) {
  EXPECT_TRUE(rejected_naming([](Program& p) { p.leads[0].flops.push_back(3e9); },
                              {"all-to-all op 4: lead 0 has 3 FLOPs and 2 bytes entries for a group of 2"}));
}

}  // namespace
}  // namespace moeplan::program
