#include "sim/schedule/dualpipe.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/format.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

// Worked by hand from the eight-phase table of schedules.md (hp = 2, H = 4;
// primes mark direction 1):
//   rank 0 (h=0, near dir 0): P1 2xF(near) | P2 F F' | P3 Bi' W F' |
//     P4 1x (F&B', F'&B) | P5 B' F'&B | P6 i=0 switch between: B' Bi |
//     P7 W Bi | P8 W
//   rank 1 (h=1, middle): P2 2x(F F') | P4 2x: first pair split F, B' then
//     F'&B; then F&B', F'&B | P6 i=0: B' B; i=1 (switch before B'): Bi' Bi |
//     P8 W W
//   ranks 2 and 3 mirror ranks 1 and 0 with the directions swapped.
constexpr const char* kDualPipeP4N8 =
    "rank 0: F0 F1 F2 F0' Bi0' W F1' F3&B1' F2'&B0 B2' F3'&B1 B3' Bi2 W Bi3 W\n"
    "rank 1: F0 F0' F1 F1' F2 B0' F2'&B0 F3&B1' F3'&B1 B2' B2 Bi3' Bi3 W W\n"
    "rank 2: F0' F0 F1' F1 F2' B0 F2&B0' F3'&B1 F3&B1' B2 B2' Bi3 Bi3' W W\n"
    "rank 3: F0' F1' F2' F0 Bi0 W F1 F3'&B1 F2&B0' B2 F3&B1' B3 Bi2' W Bi3' W\n";

TEST(DualPipeSchedule, MatchesHandWorkedOpListsForFourRanksEightMicrobatches) {
  EXPECT_EQ(to_text(dualpipe(4, 8)), kDualPipeP4N8);
}

TEST(DualPipeSchedule, EveryRankRunsEveryMicrobatchOnceEachWayPerDirection) {
  for (int pp : {2, 4, 6, 8, 16}) {
    for (int n : {2 * pp, 2 * pp + 2, 5 * pp}) {
      const Schedule s = dualpipe(pp, n);
      test_support::expect_every_pass_once_forward_and_backward(s);
      test_support::expect_weights_match_input_grads(s);
    }
  }
}

TEST(DualPipeSchedule, WorstIdleMatchesClosedForm) {
  // (P/2-1)(F&B + B - 3W) with F=1, B=2, W=1, F&B=3, Bi=1.
  const OpDurations d = closed_form_durations();
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {2 * pp, 2 * pp + 2, 3 * pp, 4 * pp, 8 * pp}) {
      const Timeline t = evaluate_timeline(dualpipe(pp, n), d);
      ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
      EXPECT_DOUBLE_EQ(t.worst_idle_s(), (pp / 2 - 1) * (d.fb_s + d.b_s - 3 * d.w_s))
          << "pp " << pp << " n " << n;
    }
  }
}

TEST(DualPipeSchedule, HoldsPPlusOneActivationsPerDeviceWhateverN) {
  for (int pp : {2, 4, 8, 16}) {
    for (int n : {2 * pp, 4 * pp, 8 * pp}) {
      for (int peak : peak_activations(dualpipe(pp, n))) EXPECT_EQ(peak, pp + 1) << "pp " << pp << " n " << n;
    }
  }
}

TEST(DualPipeSchedule, RejectsOddPipelineSize) {
  try {
    dualpipe(3, 12);
    FAIL() << "pp = 3 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pp = 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("even"), std::string::npos) << e.what();
  }
}

TEST(DualPipeSchedule, RejectsOddMicrobatchCount) {
  try {
    dualpipe(4, 9);
    FAIL() << "microbatches = 9 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 9"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("even"), std::string::npos) << e.what();
  }
}

TEST(DualPipeSchedule, RejectsFewerThanTwoMicrobatchesPerRank) {
  try {
    dualpipe(4, 6);
    FAIL() << "microbatches = 6 accepted for pp = 4";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at least 2 x pp = 8"), std::string::npos) << e.what();
  }
}

TEST(DualPipeSchedule, RejectsEmptyPipeline) {
  EXPECT_THROW(dualpipe(0, 8), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::schedule
