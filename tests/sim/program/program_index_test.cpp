#include "sim/program/program_index.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/util/check.h"

namespace moeplan::program {
namespace {

// A hand-made program of 4 ranks; every expectation below is read off this sketch.
//
//   groups: 0 "ep" {2, 0} (member order is not rank order), 1 "dp" {0, 1, 2, 3}
//
//   id  rank  stream   op                                   deps
//    0   r0   compute  compute                              -
//    1   r0   comm     send -> r1, tag 7                    0
//    2   r1   comm     recv <- r0, tag 7                    -
//    3   r1   compute  compute                              2
//    4   r2   comm     all_to_all group 0, instance 5       -      send_bytes {10, 20}
//    5   r0   comm     all_to_all group 0, instance 5       0      send_bytes {30, 40}
//    6   r0   compute  compute                              5, 0
//    7   r3   comm     all_reduce group 1, instance 2       -
//    8   r2   comm     all_reduce group 1, instance 2       4
//    9   r1   comm     all_reduce group 1, instance 2       3
//   10   r0   comm     all_reduce group 1, instance 2       6
//   11   r1   comm     send -> r0, tag 7 (same tag, other way)  3
//   12   r0   comm     recv <- r1, tag 7                    -
Program hand_program() {
  Program p;
  p.scenario = "hand-made";
  p.world_size = 4;
  p.rank_gpu = {0, 1, 2, 3};
  p.groups = {{"ep", {2, 0}}, {"dp", {0, 1, 2, 3}}};
  auto compute = [&](int rank, std::vector<OpId> deps) {
    Op op;
    op.rank = rank;
    op.part = Part::Attention;
    op.flops = 1e9;
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  auto transfer = [&](OpType type, int rank, int peer, std::vector<OpId> deps) {
    Op op;
    op.type = type;
    op.rank = rank;
    op.stream = Stream::Comm;
    op.part = Part::PipelineActivation;
    op.peer = peer;
    op.tag = 7;
    op.bytes = 4096;
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  auto collective = [&](int rank, CollectiveKind kind, int group, int instance, std::vector<double> send_bytes,
                        std::vector<OpId> deps) {
    Op op;
    op.type = OpType::Collective;
    op.rank = rank;
    op.stream = Stream::Comm;
    op.part = kind == CollectiveKind::AllToAll ? Part::Dispatch : Part::GradSync;
    op.collective = kind;
    op.group = group;
    op.instance = instance;
    op.bytes = 300;
    op.send_bytes = std::move(send_bytes);
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  compute(0, {});                                                // 0
  transfer(OpType::Send, 0, 1, {0});                             // 1
  transfer(OpType::Recv, 1, 0, {});                              // 2
  compute(1, {2});                                               // 3
  collective(2, CollectiveKind::AllToAll, 0, 5, {10, 20}, {});   // 4
  collective(0, CollectiveKind::AllToAll, 0, 5, {30, 40}, {0});  // 5
  compute(0, {5, 0});                                            // 6
  collective(3, CollectiveKind::AllReduce, 1, 2, {}, {});        // 7
  collective(2, CollectiveKind::AllReduce, 1, 2, {}, {4});       // 8
  collective(1, CollectiveKind::AllReduce, 1, 2, {}, {3});       // 9
  collective(0, CollectiveKind::AllReduce, 1, 2, {}, {6});       // 10
  transfer(OpType::Send, 1, 0, {3});                             // 11
  transfer(OpType::Recv, 0, 1, {});                              // 12
  return p;
}

std::vector<OpId> to_vector(std::span<const OpId> s) { return {s.begin(), s.end()}; }

// The index's message for `p` broken by `breaking`; empty when it accepts it.
std::string rejection(const std::function<void(Program&)>& breaking) {
  auto p = hand_program();
  breaking(p);
  try {
    const ProgramIndex index(p);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(ProgramIndex, EachSendMeetsTheReceiveOfItsRankPairAndTag) {
  const ProgramIndex index(hand_program());
  EXPECT_EQ(index.partner(1), 2);
  EXPECT_EQ(index.partner(2), 1);
  EXPECT_EQ(index.partner(11), 12);  // the same tag the other way is another transfer
  EXPECT_EQ(index.partner(12), 11);
  EXPECT_EQ(index.partner(0), -1);
  EXPECT_EQ(index.partner(4), -1);
}

TEST(ProgramIndex, InstanceMembersFollowTheGroupMemberOrder) {
  const ProgramIndex index(hand_program());
  EXPECT_EQ(index.instances(), (std::vector<int>{2, 5}));
  EXPECT_EQ(to_vector(index.members(5)), (std::vector<OpId>{4, 5}));  // group 0 is {2, 0}
  EXPECT_EQ(to_vector(index.members(2)), (std::vector<OpId>{10, 9, 8, 7}));
  EXPECT_EQ(index.group_of(5), 0);
  EXPECT_EQ(index.group_of(2), 1);
  EXPECT_EQ(index.first_member(2), 7);
  EXPECT_EQ(index.held_members(2), 4);
  EXPECT_TRUE(index.complete(2));
  EXPECT_EQ(index.member_index(4), 0);
  EXPECT_EQ(index.member_index(5), 1);
  EXPECT_EQ(index.member_index(7), 3);
  EXPECT_EQ(index.member_index(0), -1);
  EXPECT_FALSE(index.has_instance(3));
}

TEST(ProgramIndex, SuccessorsAreTheDependentsByAscendingId) {
  const ProgramIndex index(hand_program());
  EXPECT_EQ(to_vector(index.successors(0)), (std::vector<OpId>{1, 5, 6}));
  EXPECT_EQ(to_vector(index.successors(2)), (std::vector<OpId>{3}));
  EXPECT_EQ(to_vector(index.successors(3)), (std::vector<OpId>{9, 11}));
  EXPECT_EQ(to_vector(index.successors(4)), (std::vector<OpId>{8}));
  EXPECT_EQ(to_vector(index.successors(6)), (std::vector<OpId>{10}));
  EXPECT_TRUE(index.successors(10).empty());
  EXPECT_TRUE(index.successors(12).empty());
}

TEST(ProgramIndex, ADependencyListedTwiceGivesTwoSuccessorEntries) {
  auto p = hand_program();
  p.ops[3].deps = {2, 2};
  const ProgramIndex index(p);
  EXPECT_EQ(to_vector(index.successors(2)), (std::vector<OpId>{3, 3}));
}

// Rank 0's order is 0 1 5 6 10 12: compute stream {0, 6}, comm stream {1, 5, 10, 12}.
TEST(ProgramIndex, PositionsCountInTheRankOrderAndOnEachStream) {
  const ProgramIndex index(hand_program());
  EXPECT_EQ(index.position(0), 0);
  EXPECT_EQ(index.position(6), 3);
  EXPECT_EQ(index.position(12), 5);
  EXPECT_EQ(index.position(9), 2);  // rank 1: 2 3 9 11
  EXPECT_EQ(index.stream_position(6), 1);
  EXPECT_EQ(index.stream_position(12), 3);
  EXPECT_EQ(index.stream_position(11), 2);  // rank 1's comm stream: 2 9 11
  EXPECT_EQ(to_vector(index.stream_ops(0, Stream::Compute)), (std::vector<OpId>{0, 6}));
  EXPECT_EQ(to_vector(index.stream_ops(0, Stream::Comm)), (std::vector<OpId>{1, 5, 10, 12}));
  EXPECT_EQ(to_vector(index.stream_ops(1, Stream::Comm)), (std::vector<OpId>{2, 9, 11}));
  EXPECT_EQ(to_vector(index.stream_ops(3, Stream::Comm)), (std::vector<OpId>{7}));
  EXPECT_TRUE(index.stream_ops(2, Stream::ComputeB).empty());
}

TEST(ProgramIndex, PositionsFollowTheRankOrderNotTheIds) {
  auto p = hand_program();
  std::swap(p.by_rank[0][1], p.by_rank[0][2]);  // rank 0: 0 5 1 6 10 12
  const ProgramIndex index(p);
  EXPECT_EQ(index.position(5), 1);
  EXPECT_EQ(index.position(1), 2);
  EXPECT_EQ(to_vector(index.stream_ops(0, Stream::Comm)), (std::vector<OpId>{5, 1, 10, 12}));
}

TEST(ProgramIndex, AllToAllTrafficIsTheMembersSendRowsInMemberOrder) {
  const auto p = hand_program();
  const ProgramIndex index(p);
  const auto t = index.all_to_all_traffic(p, 5);
  EXPECT_EQ(t.gpu_bytes, (std::vector<std::vector<double>>{{10, 20}, {30, 40}}));
  EXPECT_FALSE(t.reverse);
}

TEST(ProgramIndex, AllToAllTrafficIsTheProgramMatrixWhenTheOpNamesOne) {
  auto p = hand_program();
  p.traffic = {{{{1, 2}, {3, 4}}, {}, true}};
  p.ops[4].traffic = 0;
  p.ops[5].traffic = 0;
  const ProgramIndex index(p);
  EXPECT_EQ(index.all_to_all_traffic(p, 5), p.traffic[0]);
}

// Reduced: of group {0, 1, 2} only rank 1 holds its op, sending {1, 2, 3};
// member i plays the held member's role, so it sends 2 to itself, 3 to the
// next member and 1 to the one before: rows {2, 3, 1}, {1, 2, 3}, {3, 1, 2}.
// Its send to rank 2, which holds no ops, stays unpaired.
TEST(ProgramIndex, ReducedProgramsKeepUnheldMembersEmptyAndRotateTheHeldRow) {
  Program p;
  p.world_size = 3;
  p.reduced = true;
  p.rank_gpu = {0, 1, 2};
  p.groups = {{"ep", {0, 1, 2}}};
  Op a2a;
  a2a.rank = 1;
  a2a.type = OpType::Collective;
  a2a.collective = CollectiveKind::AllToAll;
  a2a.group = 0;
  a2a.instance = 0;
  a2a.send_bytes = {1, 2, 3};
  p.add(a2a);
  Op send;
  send.rank = 1;
  send.type = OpType::Send;
  send.peer = 2;
  send.tag = 0;
  p.add(send);
  const ProgramIndex index(p);
  EXPECT_EQ(to_vector(index.members(0)), (std::vector<OpId>{-1, 0, -1}));
  EXPECT_EQ(index.held_members(0), 1);
  EXPECT_FALSE(index.complete(0));
  EXPECT_EQ(index.partner(1), -1);
  EXPECT_EQ(index.all_to_all_traffic(p, 0).gpu_bytes,
            (std::vector<std::vector<double>>{{2, 3, 1}, {1, 2, 3}, {3, 1, 2}}));
}

TEST(ProgramIndex, AcceptsTheHandProgram) { EXPECT_EQ(rejection([](Program&) {}), ""); }

TEST(ProgramIndex, RejectsAReceiveWithNoSendNamingIt) {
  const auto m = rejection([](Program& p) { p.ops[2].tag = 8; });
  EXPECT_NE(m.find("recv op 2 (rank 1"), std::string::npos) << m;
  EXPECT_NE(m.find("receive from rank 0 with tag 8 has no matching send"), std::string::npos) << m;
}

TEST(ProgramIndex, RejectsASendWithNoReceiveNamingIt) {
  const auto s = rejection([](Program& p) { p.ops[12].type = OpType::Compute; });  // rank 0 receives nothing
  EXPECT_NE(s.find("send op 11 (rank 1"), std::string::npos) << s;
  EXPECT_NE(s.find("send has no matching receive"), std::string::npos) << s;
}

TEST(ProgramIndex, RejectsTwoSendsOnOneRankPairAndTag) {
  const auto m = rejection([](Program& p) {
    Op again = p.ops[1];
    again.deps = {};
    p.add(again);  // op 13
  });
  EXPECT_NE(m.find("send op 13"), std::string::npos) << m;
  EXPECT_NE(m.find("a second send 0->1 with tag 7 (the first is op 1)"), std::string::npos) << m;
}

TEST(ProgramIndex, RejectsMembersThatDisagreeOnGroup) {
  EXPECT_EQ(rejection([](Program& p) { p.ops[8].group = 0; }),
            "collective instance 2 spans groups 1 (op 7) and 0 (op 8)");
}

TEST(ProgramIndex, RejectsMembersThatDisagreeOnKind) {
  EXPECT_EQ(rejection([](Program& p) { p.ops[9].collective = CollectiveKind::AllGather; }),
            "collective instance 2: op 7 is all_reduce but op 9 is all_gather");
}

TEST(ProgramIndex, RejectsTwoMembersOnOneRank) {
  EXPECT_EQ(rejection([](Program& p) {
              Op again = p.ops[5];
              again.deps = {};
              p.add(again);  // op 13
            }),
            "collective instance 5: rank 0 holds two members, ops 5 and 13");
}

TEST(ProgramIndex, RejectsAMemberOutsideItsGroup) {
  EXPECT_EQ(rejection([](Program& p) { p.ops[7].group = 0; }),
            "collective op 7: its rank 3 is not a member of group 0");
}

TEST(ProgramIndex, RejectsADependencyOnAMissingOp) {
  const auto m = rejection([](Program& p) { p.ops[3].deps.push_back(42); });
  EXPECT_NE(m.find("compute op 3 (rank 1"), std::string::npos) << m;
  EXPECT_NE(m.find("depends on op 42, which does not exist (13 ops)"), std::string::npos) << m;
}

TEST(ProgramIndex, RejectsAnOpMissingFromItsRankOrder) {
  const auto m = rejection([](Program& p) { p.by_rank[3].clear(); });
  EXPECT_NE(m.find("collective op 7 (rank 3"), std::string::npos) << m;
  EXPECT_NE(m.find("missing from its rank's program order"), std::string::npos) << m;
}

// check_program builds the same index; in a program moeplan built, what the
// index rejects is a broken invariant.
TEST(ProgramIndex, CheckProgramReportsItsRejectionsAsInvariantErrors) {
  auto p = hand_program();
  EXPECT_NO_THROW(check_program(p));
  p.ops[2].tag = 8;
  EXPECT_THROW(check_program(p), InvariantError);
}

}  // namespace
}  // namespace moeplan::program
