#include "sim/schedule/interleaved.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/format.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

TEST(InterleavedSchedule, MatchesHandWorkedOpListsForTwoRanksTwoChunks) {
  // P=2, N=4, v=2. Virtual micro-batch k: chunk (k mod 4)/2, mb (k/4)*2 + k mod 2;
  // backwards walk the chunks in reverse. Warm-up min((P-r-1)*2 + (v-1)*P, N v):
  // rank 0: 4, rank 1: 2.
  EXPECT_EQ(to_text(interleaved(2, 4, 2)),
            "rank 0: F0c0 F1c0 F0c1 F1c1 F2c0 B0c1 F3c0 B1c1 F2c1 B0c0 F3c1 B1c0 B2c1 B3c1 B2c0 B3c0\n"
            "rank 1: F0c0 F1c0 F0c1 B0c1 F1c1 B1c1 F2c0 B0c0 F3c0 B1c0 F2c1 B2c1 F3c1 B3c1 B2c0 B3c0\n");
}

TEST(InterleavedSchedule, EveryRankRunsEveryMicrobatchOnceEachWayPerChunk) {
  for (int pp : {1, 2, 4}) {
    for (int v : {2, 3}) {
      for (int groups : {1, 2, 3}) test_support::expect_every_pass_once_forward_and_backward(interleaved(pp, groups * pp, v));
    }
  }
}

TEST(InterleavedSchedule, WorstIdleIsOneFOneBBubbleDividedByChunks) {
  // Per-chunk ops of F/v and B/v: (P-1)(F+B)/v = (P-1)(f+b) with the chunk times f, b.
  const OpDurations d = closed_form_durations();
  for (int pp : {2, 4, 8}) {
    for (int v : {2, 4}) {
      for (int n : {pp, 2 * pp, 4 * pp}) {
        const Timeline t = evaluate_timeline(interleaved(pp, n, v), d);
        ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
        EXPECT_DOUBLE_EQ(t.worst_idle_s(), (pp - 1) * (d.f_s + d.b_s)) << "pp " << pp << " v " << v << " n " << n;
      }
    }
  }
}

TEST(InterleavedSchedule, RejectsMicrobatchesNotMultipleOfPipelineSize) {
  try {
    interleaved(4, 6, 2);
    FAIL() << "microbatches = 6 accepted for pp = 4";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("microbatches = 6 is not a multiple of pp = 4"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("e.g. 8"), std::string::npos) << e.what();
  }
}

TEST(InterleavedSchedule, RejectsFewerThanTwoChunks) {
  try {
    interleaved(4, 8, 1);
    FAIL() << "chunks = 1 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("= 1; must be at least 2"), std::string::npos) << e.what();
  }
}

TEST(InterleavedSchedule, RejectsEmptyPipelineOrBatch) {
  EXPECT_THROW(interleaved(0, 4, 2), std::invalid_argument);
  EXPECT_THROW(interleaved(2, 0, 2), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::schedule
