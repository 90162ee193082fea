#include "sim/schedule/dualpipev.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/format.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

// Worked by hand from the phase table with hp -> P = 2, h -> r, H -> N = 4;
// near = dir 0 (down), far = dir 1 (back up, primed):
//   rank 0: counts 2,1,1,1,1,1,1,1: F0 F1 | F2 F0' | Bi0' W F1' |
//     F3&B1' F2'&B0 | B2' F3'&B1 | i=0, r even: B3' Bi2 | W Bi3 | W
//   rank 1 (last, splits its first pair): counts 0,2,0,2,0,2,0,2:
//     F0 F0' F1 F1' | F2 B0' F2'&B0 F3&B1' F3'&B1 | i=0: B2' B2;
//     i=1, r odd, switch before B': Bi3' Bi3 | W W
constexpr const char* kDualPipeVP2N4 =
    "rank 0: F0 F1 F2 F0' Bi0' W F1' F3&B1' F2'&B0 B2' F3'&B1 B3' Bi2 W Bi3 W\n"
    "rank 1: F0 F0' F1 F1' F2 B0' F2'&B0 F3&B1' F3'&B1 B2' B2 Bi3' Bi3 W W\n";

TEST(DualPipeVSchedule, MatchesHandWorkedOpListsForTwoDevicesFourMicrobatches) {
  EXPECT_EQ(to_text(dualpipev(2, 4)), kDualPipeVP2N4);
}

TEST(DualPipeVSchedule, EveryRankRunsEveryMicrobatchOnceEachWayPerStage) {
  for (int pp : {1, 2, 3, 4, 8}) {
    for (int n : {2 * pp, 2 * pp + 1, 5 * pp}) {
      const Schedule s = dualpipev(pp, n);
      test_support::expect_every_pass_once_forward_and_backward(s);
      test_support::expect_weights_match_input_grads(s);
    }
  }
}

TEST(DualPipeVSchedule, WorstIdleMatchesClosedFormCountedInStages) {
  // (S/2-1)(F&B + B - 3W) with S = 2 x devices stages.
  const OpDurations d = closed_form_durations();
  for (int stages : {2, 4, 8, 16}) {
    const int devices = stages / 2;
    for (int n : {2 * devices, 2 * devices + 1, 3 * devices, 8 * devices}) {
      const Timeline t = evaluate_timeline(dualpipev(devices, n), d);
      ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
      EXPECT_DOUBLE_EQ(t.worst_idle_s(), (stages / 2 - 1) * (d.fb_s + d.b_s - 3 * d.w_s))
          << "devices " << devices << " n " << n;
    }
  }
}

TEST(DualPipeVSchedule, HoldsStagesPlusOneActivationsPerDeviceWhateverN) {
  // 2P stages of half a DualPipe stage each: 2P+1 stage activations.
  for (int pp : {1, 2, 4, 8}) {
    for (int n : {2 * pp, 4 * pp, 8 * pp}) {
      for (int peak : peak_activations(dualpipev(pp, n))) EXPECT_EQ(peak, 2 * pp + 1) << "pp " << pp << " n " << n;
    }
  }
}

TEST(DualPipeVSchedule, AcceptsOddDeviceCountAndOddMicrobatchCount) {
  EXPECT_NO_THROW(dualpipev(3, 7));
}

TEST(DualPipeVSchedule, RejectsFewerThanTwoMicrobatchesPerDevice) {
  try {
    dualpipev(4, 7);
    FAIL() << "microbatches = 7 accepted for pp = 4";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at least 2 x pp = 8"), std::string::npos) << e.what();
  }
}

TEST(DualPipeVSchedule, RejectsEmptyPipeline) {
  try {
    dualpipev(0, 4);
    FAIL() << "pp = 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pp = 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace moeplan::schedule
