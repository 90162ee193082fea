#include "sim/schedule/generate.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "sim/schedule/dualpipe.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

TEST(ScheduleGenerate, DispatchesToTheGeneratorOfEachKind) {
  EXPECT_EQ(generate(Kind::DualPipe, 4, 8).ranks, dualpipe(4, 8).ranks);
  for (Kind k : {Kind::OneFOneB, Kind::Interleaved, Kind::ZB1P, Kind::DualPipe, Kind::DualPipeV}) {
    const Schedule s = generate(k, 4, 16, 2);
    EXPECT_EQ(s.kind, k);
    EXPECT_EQ(s.pp, 4);
    EXPECT_EQ(s.microbatches, 16);
    EXPECT_EQ(s.ranks.size(), 4u);
  }
  EXPECT_EQ(generate(Kind::Interleaved, 4, 16, 3).chunks, 3);
  EXPECT_EQ(generate(Kind::DualPipeV, 4, 16, 1).chunks, 2);
}

TEST(ScheduleGenerate, PassesConstraintErrorsThrough) {
  EXPECT_THROW(generate(Kind::DualPipe, 3, 12), std::invalid_argument);
  EXPECT_THROW(generate(Kind::Interleaved, 4, 16, 1), std::invalid_argument);
}

// Every valid (P, N) with P up to 32 and N up to 8P completes: N steps through
// the smallest valid values, odd offsets and multiples of P up to 8P.
TEST(ScheduleGenerate, NoValidPipelineDeadlocks) {
  const OpDurations d;
  int evaluated = 0;
  for (Kind k : {Kind::OneFOneB, Kind::Interleaved, Kind::ZB1P, Kind::DualPipe, Kind::DualPipeV}) {
    for (int pp = 1; pp <= 32; ++pp) {
      for (int n : {1, 2, pp - 1, pp, pp + 1, 2 * pp, 2 * pp + 1, 2 * pp + 2, 3 * pp, 5 * pp + 2, 8 * pp}) {
        if (n < 1 || n > 8 * pp) continue;
        for (int v : {2, 3}) {
          if (k != Kind::Interleaved && v != 2) continue;
          Schedule s;
          try {
            s = generate(k, pp, n, v);
          } catch (const std::invalid_argument&) {
            continue;  // not a valid (P, N) for this kind
          }
          const Timeline t = evaluate_timeline(s, d);
          ++evaluated;
          ASSERT_FALSE(t.deadlocked()) << to_string(k) << " pp " << pp << " n " << n << " v " << v << "\n"
                                       << t.deadlock_report();
        }
      }
    }
  }
  EXPECT_GT(evaluated, 500);
}

TEST(ScheduleGenerate, AcceptsLayersThatSplitIntoStages) {
  EXPECT_NO_THROW(check_layers(generate(Kind::OneFOneB, 4, 8), 8));
  EXPECT_NO_THROW(check_layers(generate(Kind::Interleaved, 4, 8, 2), 24));
  EXPECT_NO_THROW(check_layers(generate(Kind::DualPipeV, 4, 8), 16));
}

TEST(ScheduleGenerate, RejectsLayersThatDoNotSplitIntoStages) {
  try {
    check_layers(generate(Kind::DualPipeV, 4, 8), 30);
    FAIL() << "30 layers accepted for 8 stages";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("dualpipev"), std::string::npos) << m;
    EXPECT_NE(m.find("layers = 30"), std::string::npos) << m;
    EXPECT_NE(m.find("8 pipeline stages"), std::string::npos) << m;
    EXPECT_NE(m.find("e.g. 24 or 32"), std::string::npos) << m;
  }
  try {
    check_layers(generate(Kind::Interleaved, 4, 8, 3), 6);
    FAIL() << "6 layers accepted for 12 stages";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("e.g. 12"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace moeplan::schedule
