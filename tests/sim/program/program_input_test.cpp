// A program read from JSON is checked before any executor reads it: every
// broken index, count or order is a user error (std::runtime_error) naming the
// op and the value, never an out-of-bounds read, a hang or an InvariantError.
#include "sim/program/program_input.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/program/program_json.h"
#include "tests/sim/program/small_program.h"

namespace moeplan::program {
namespace {


nlohmann::json small() { return to_json(small_program()); }

void expect_has(const std::string& e, const std::string& part) {
  EXPECT_NE(e.find(part), std::string::npos) << "\"" << part << "\" not in: " << e;
  EXPECT_EQ(e.find("internal error"), std::string::npos) << e;
}

TEST(ProgramInput, ReadsTheSmallProgram) { EXPECT_EQ(read_error(small()), ""); }

TEST(ProgramInput, RejectsADependencyOnAMissingOp) {
  auto j = small();
  j["ops"][3]["deps"] = {999999};
  const auto e = read_error(j);
  expect_has(e, "op 3");
  expect_has(e, "999999");
}

TEST(ProgramInput, RejectsAGroupIndexOutOfRange) {
  auto j = small();
  j["ops"][6]["group"] = 7;
  expect_has(read_error(j), "group 7");
}

TEST(ProgramInput, RejectsATrafficIndexOutOfRange) {
  auto j = small();
  j["ops"][4]["traffic"] = 5;
  expect_has(read_error(j), "traffic 5");
}

TEST(ProgramInput, RejectsALeadIndexOutOfRange) {
  auto j = small();
  j["ops"][5]["lead"] = 3;
  expect_has(read_error(j), "lead 3");
}

TEST(ProgramInput, RejectsAPeerOutsideTheWorld) {
  auto j = small();
  j["ops"][1]["peer"] = 9;
  expect_has(read_error(j), "peer 9");
}

TEST(ProgramInput, RejectsARankOutsideTheWorld) {
  auto j = small();
  j["ops"][0]["rank"] = 4;
  expect_has(read_error(j), "rank 4");
}

TEST(ProgramInput, RejectsAGroupMemberOutsideTheWorld) {
  auto j = small();
  j["groups"][1]["ranks"] = {0, 1, 2, 3, 17};
  expect_has(read_error(j), "17");
}

TEST(ProgramInput, RejectsATrafficMatrixOfTheWrongShape) {
  auto j = small();
  j["traffic"][0]["gpu_bytes"] = {{0, 100}, {200}};
  expect_has(read_error(j), "traffic[0]");
}

TEST(ProgramInput, RejectsRankGpuOfTheWrongLength) {
  auto j = small();
  j["rank_gpu"] = {0, 1};
  expect_has(read_error(j), "rank_gpu");
}

TEST(ProgramInput, RejectsAWorldSizeBeyondTheLimitBeforeAllocating) {
  auto j = small();
  j["world_size"] = 2000000000;
  expect_has(read_error(j), "world_size");
  j["world_size"] = -3;
  expect_has(read_error(j), "world_size");
  j["world_size"] = 1e20;
  expect_has(read_error(j), "world_size");
}

TEST(ProgramInput, RejectsAnIntegerFieldThatDoesNotFitNamingTheField) {
  auto j = small();
  j["ops"][2]["tag"] = 99999999999LL;
  const auto e = read_error(j);
  expect_has(e, "ops[2]");
  expect_has(e, "tag");
}

TEST(ProgramInput, RejectsNegativeWork) {
  auto j = small();
  j["ops"][0]["flops"] = -1e9;
  const auto e = read_error(j);
  expect_has(e, "ops[0]");
  expect_has(e, "flops");
}

TEST(ProgramInput, RejectsAReceiveWithDependencies) {
  auto j = small();
  j["ops"][2]["deps"] = {0};
  expect_has(read_error(j), "op 2");
}

TEST(ProgramInput, RejectsAnUnmatchedReceiveNamingIt) {
  auto j = small();
  j["ops"][2]["tag"] = 5;
  const auto e = read_error(j);
  expect_has(e, "op 2");
  expect_has(e, "no matching send");
}

TEST(ProgramInput, RejectsADependencyCycleNamingItsOps) {
  auto j = small();
  j["ops"][0]["deps"] = {3};  // 0 -> send 1 -> recv 2 -> 3 -> 0
  const auto e = read_error(j);
  expect_has(e, "deadlock");
  for (const auto* op : {"op 0", "op 1", "op 2", "op 3"}) expect_has(e, op);
}

TEST(ProgramInput, RejectsACycleThroughACollectiveNamingItsOps) {
  auto j = small();
  j["ops"][0]["deps"] = {5};  // 0 waits for r1's all-to-all, whose instance waits for r0's (op 4), which waits for 0
  const auto e = read_error(j);
  expect_has(e, "deadlock");
  expect_has(e, "op 4");
  expect_has(e, "op 5");
  expect_has(e, "instance 0");
}

TEST(ProgramInput, RejectsAStreamOrderAgainstTheDependencies) {
  auto p = small_program();
  Op compute;  // ops 10 and 11, in that order on r3's compute stream; 10 waits for 11
  compute.rank = 3;
  compute.flops = 1;
  p.add(compute);
  p.add(compute);
  p.ops[10].deps = {11};
  const auto e = read_error(to_json(p));
  expect_has(e, "deadlock");
  expect_has(e, "op 10");
  expect_has(e, "op 11");
}

}  // namespace
}  // namespace moeplan::program
