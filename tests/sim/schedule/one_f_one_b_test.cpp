#include "sim/schedule/one_f_one_b.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/format.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

TEST(OneFOneBSchedule, MatchesHandWorkedOpListsForThreeRanksFourMicrobatches) {
  // Rank r: min(P-r-1, N) warm-up F, then F/B pairs, then the remaining B.
  EXPECT_EQ(to_text(one_f_one_b(3, 4)),
            "rank 0: F0 F1 F2 B0 F3 B1 B2 B3\n"
            "rank 1: F0 F1 B0 F2 B1 F3 B2 B3\n"
            "rank 2: F0 B0 F1 B1 F2 B2 F3 B3\n");
}

TEST(OneFOneBSchedule, WarmupIsCappedByMicrobatchCount) {
  // Warm-ups min(3,2)=2, min(2,2)=2, min(1,2)=1, 0.
  EXPECT_EQ(to_text(one_f_one_b(4, 2)),
            "rank 0: F0 F1 B0 B1\n"
            "rank 1: F0 F1 B0 B1\n"
            "rank 2: F0 F1 B0 B1\n"
            "rank 3: F0 B0 F1 B1\n");
}

TEST(OneFOneBSchedule, EveryRankRunsEveryMicrobatchOnceEachWay) {
  for (int pp : {1, 2, 4, 8}) {
    for (int n : {1, 3, 8, 17}) test_support::expect_every_pass_once_forward_and_backward(one_f_one_b(pp, n));
  }
}

TEST(OneFOneBSchedule, WorstIdleAndMakespanMatchClosedForms) {
  const OpDurations d = closed_form_durations();
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {1, pp / 2, pp, 2 * pp, 3 * pp + 1}) {
      if (n < 1) continue;
      const Timeline t = evaluate_timeline(one_f_one_b(pp, n), d);
      ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
      EXPECT_DOUBLE_EQ(t.worst_idle_s(), (pp - 1) * (d.f_s + d.b_s)) << "pp " << pp << " n " << n;
      EXPECT_DOUBLE_EQ(t.makespan_s, (n + pp - 1) * (d.f_s + d.b_s)) << "pp " << pp << " n " << n;
    }
  }
}

TEST(OneFOneBSchedule, FirstRankHoldsPActivationsWhateverN) {
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {pp, 2 * pp, 5 * pp}) {
      EXPECT_EQ(peak_activations(one_f_one_b(pp, n))[0], pp) << "pp " << pp << " n " << n;
    }
  }
}

TEST(OneFOneBSchedule, RejectsEmptyPipelineOrBatch) {
  try {
    one_f_one_b(0, 4);
    FAIL() << "pp = 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pp = 0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at least 1"), std::string::npos) << e.what();
  }
  try {
    one_f_one_b(4, 0);
    FAIL() << "microbatches = 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace moeplan::schedule
