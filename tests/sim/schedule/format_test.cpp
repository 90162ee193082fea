#include "sim/schedule/format.h"

#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/dualpipe.h"
#include "sim/schedule/one_f_one_b.h"
#include "sim/schedule/ops.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

TEST(ScheduleFormat, LabelsEveryOpKindInTextNotation) {
  EXPECT_EQ(op_label(forward_op(pass_of(0, 3))), "F3");
  EXPECT_EQ(op_label(forward_op(pass_of(1, 3))), "F3'");
  EXPECT_EQ(op_label(backward_op(pass_of(0, 0))), "B0");
  EXPECT_EQ(op_label(input_grad_op(pass_of(1, 2))), "Bi2'");
  EXPECT_EQ(op_label(weight_op()), "W");
  EXPECT_EQ(op_label(overlapped_op(pass_of(0, 3), pass_of(1, 1))), "F3&B1'");
  EXPECT_EQ(op_label(overlapped_op(pass_of(0, 3), pass_of(1, 1), false)), "F3&Bi1'");
  EXPECT_EQ(op_label(forward_op(PassRef{0, 1, 5})), "F5c1");
  EXPECT_EQ(op_label(forward_op(PassRef{0, 0, 5}), true), "F5c0");
}

TEST(ScheduleFormat, TextHasOneLinePerRank) {
  EXPECT_EQ(to_text(one_f_one_b(2, 2)), "rank 0: F0 F1 B0 B1\nrank 1: F0 B0 F1 B1\n");
}

TEST(ScheduleFormat, JsonCarriesPassesAndOverlappedHalves) {
  const nlohmann::json j = to_json(dualpipe(2, 4));
  EXPECT_EQ(j["schedule"], "dualpipe");
  EXPECT_EQ(j["pp"], 2);
  EXPECT_EQ(j["microbatches"], 4);
  ASSERT_EQ(j["ranks"].size(), 2u);
  // rank 0: F0 F0' F1 B0' F1'&B0 B1' Bi1 W
  const nlohmann::json& ops = j["ranks"][0]["ops"];
  EXPECT_EQ(j["ranks"][0]["rank"], 0);
  ASSERT_EQ(ops.size(), 8u);
  EXPECT_EQ(ops[1], (nlohmann::json{{"op", "F"}, {"dir", 1}, {"mb", 0}, {"chunk", 1}}));
  EXPECT_EQ(ops[4]["op"], "FB");
  EXPECT_EQ(ops[4]["f"], (nlohmann::json{{"dir", 1}, {"mb", 1}, {"chunk", 1}}));
  EXPECT_EQ(ops[4]["b"], (nlohmann::json{{"dir", 0}, {"mb", 0}, {"chunk", 0}}));
  EXPECT_EQ(ops[4]["full_b"], true);
  EXPECT_EQ(ops[6]["op"], "Bi");
  EXPECT_EQ(ops[7], (nlohmann::json{{"op", "W"}}));
}

TEST(ScheduleFormat, ChromeTraceHasOneProcessPerRankAndOneEventPerOp) {
  const Schedule s = one_f_one_b(2, 2);
  const Timeline t = evaluate_timeline(s, test_support::closed_form_durations());
  const nlohmann::json trace = to_chrome_trace(s, t);
  const nlohmann::json& events = trace["traceEvents"];
  int complete = 0;
  int process_names = 0;
  for (const nlohmann::json& e : events) {
    if (e["ph"] == "X") ++complete;
    if (e["ph"] == "M" && e["name"] == "process_name") ++process_names;
  }
  EXPECT_EQ(complete, 8);
  EXPECT_EQ(process_names, 2);
  // rank 0's B0 runs [4,6] s of timeline time.
  bool found = false;
  for (const nlohmann::json& e : events) {
    if (e["ph"] == "X" && e["pid"] == 0 && e["name"] == "B mb0 dir0") {
      found = true;
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 4e6);
      EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 2e6);
    }
  }
  EXPECT_TRUE(found);
}

TEST(ScheduleFormat, ChromeTraceNamesOverlappedAndWeightOps) {
  const Schedule s = dualpipe(2, 4);
  const Timeline t = evaluate_timeline(s, test_support::closed_form_durations());
  const nlohmann::json trace = to_chrome_trace(s, t);
  std::vector<std::string> rank0;
  for (const nlohmann::json& e : trace["traceEvents"]) {
    if (e["ph"] == "X" && e["pid"] == 0) rank0.push_back(e["name"]);
  }
  EXPECT_EQ(rank0, (std::vector<std::string>{"F mb0 dir0", "F mb0 dir1", "F mb1 dir0", "B mb0 dir1",
                                             "F mb1 dir1 & B mb0 dir0", "B mb1 dir1", "Bi mb1 dir0",
                                             "W mb1 dir0"}));
}

}  // namespace
}  // namespace moeplan::schedule
