#include "sim/schedule/zb1p.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/format.h"
#include "sim/schedule/one_f_one_b.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

TEST(ZB1PSchedule, MatchesHandWorkedOpListsForThreeRanksFourMicrobatches) {
  // 1F1B's order with B split into Bi + W; rank r defers its first r W's to
  // the end: rank 0 defers none, rank 2 two.
  EXPECT_EQ(to_text(zb1p(3, 4)),
            "rank 0: F0 F1 F2 Bi0 W F3 Bi1 W Bi2 W Bi3 W\n"
            "rank 1: F0 F1 Bi0 F2 Bi1 W F3 Bi2 W Bi3 W W\n"
            "rank 2: F0 Bi0 F1 Bi1 F2 Bi2 W F3 Bi3 W W W\n");
}

TEST(ZB1PSchedule, EveryRankRunsEveryMicrobatchOnceEachWayAndEveryWeightGrad) {
  for (int pp : {1, 2, 4, 8}) {
    for (int n : {1, 3, 8, 17}) {
      const Schedule s = zb1p(pp, n);
      test_support::expect_every_pass_once_forward_and_backward(s);
      test_support::expect_weights_match_input_grads(s);
    }
  }
}

TEST(ZB1PSchedule, WorstIdleMatchesClosedFormWhenMicrobatchesFillThePipeline) {
  // (P-1)(F + B - 2W); needs N >= P (see docs/schedules.md for N < P).
  const OpDurations d = closed_form_durations();
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {pp, pp + 1, 2 * pp, 4 * pp + 3}) {
      const Timeline t = evaluate_timeline(zb1p(pp, n), d);
      ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
      EXPECT_DOUBLE_EQ(t.worst_idle_s(), (pp - 1) * (d.f_s + d.b_s - 2 * d.w_s)) << "pp " << pp << " n " << n;
    }
  }
}

TEST(ZB1PSchedule, KeepsOneFOneBActivationBound) {
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {pp, 3 * pp}) {
      EXPECT_EQ(peak_activations(zb1p(pp, n)), peak_activations(one_f_one_b(pp, n))) << "pp " << pp << " n " << n;
      EXPECT_EQ(peak_activations(zb1p(pp, n))[0], pp);
    }
  }
}

TEST(ZB1PSchedule, RejectsEmptyPipelineOrBatch) {
  try {
    zb1p(2, 0);
    FAIL() << "microbatches = 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at least 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(zb1p(0, 2), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::schedule
