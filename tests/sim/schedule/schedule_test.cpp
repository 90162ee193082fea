#include "sim/schedule/schedule.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "sim/schedule/generate.h"

namespace moeplan::schedule {
namespace {

TEST(ScheduleVocabulary, KindNamesRoundTrip) {
  for (Kind k : {Kind::OneFOneB, Kind::Interleaved, Kind::ZB1P, Kind::DualPipe, Kind::DualPipeV}) {
    EXPECT_EQ(parse_kind(to_string(k)), k);
  }
  EXPECT_EQ(to_string(OpKind::Bi), "Bi");
  EXPECT_EQ(to_string(OpKind::FB), "FB");
}

TEST(ScheduleVocabulary, ParseKindNamesTheValidChoices) {
  try {
    parse_kind("gpipe");
    FAIL() << "gpipe accepted";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'gpipe'"), std::string::npos) << m;
    EXPECT_NE(m.find("1f1b, interleaved, zb1p, dualpipe, dualpipev"), std::string::npos) << m;
  }
}

TEST(ScheduleVocabulary, StagesFollowEachKindsLayout) {
  const Schedule dp = generate(Kind::DualPipe, 4, 8);
  EXPECT_EQ(stage_count(dp), 4);
  EXPECT_EQ(stage_of(dp, 1, PassRef{0, 0, 0}), 1);
  EXPECT_EQ(stage_of(dp, 1, PassRef{1, 1, 0}), 2);  // direction 1 enters at rank 3

  const Schedule dpv = generate(Kind::DualPipeV, 4, 8);
  EXPECT_EQ(stage_count(dpv), 8);
  EXPECT_EQ(stage_of(dpv, 3, PassRef{0, 0, 0}), 3);
  EXPECT_EQ(stage_of(dpv, 3, PassRef{1, 1, 0}), 4);  // the turn: stages 3 and 4 on rank 3
  EXPECT_EQ(stage_of(dpv, 0, PassRef{1, 1, 0}), 7);  // the loss on rank 0

  const Schedule il = generate(Kind::Interleaved, 4, 8, 3);
  EXPECT_EQ(stage_count(il), 12);
  EXPECT_EQ(stage_of(il, 2, PassRef{0, 2, 0}), 10);  // stage 10 mod 4 = device 2

  EXPECT_EQ(stage_count(generate(Kind::ZB1P, 5, 8)), 5);
}

}  // namespace
}  // namespace moeplan::schedule
