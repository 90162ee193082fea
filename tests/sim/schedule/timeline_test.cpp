#include "sim/schedule/timeline.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schedule_expectations.h"
#include "sim/schedule/dualpipe.h"
#include "sim/schedule/dualpipev.h"
#include "sim/schedule/one_f_one_b.h"
#include "sim/schedule/ops.h"
#include "sim/schedule/zb1p.h"
#include "sim/util/cancelled.h"

namespace moeplan::schedule {
namespace {

using test_support::closed_form_durations;

// A hand-written single-direction schedule over plain ranks (stage = rank).
Schedule plain_schedule(int pp, int n, std::vector<std::vector<ScheduleOp>> ranks) {
  Schedule s;
  s.kind = Kind::OneFOneB;
  s.pp = pp;
  s.microbatches = n;
  s.chunks = 1;
  s.ranks = std::move(ranks);
  return s;
}
ScheduleOp F(int mb) { return forward_op(pass_of(0, mb)); }
ScheduleOp B(int mb) { return backward_op(pass_of(0, mb)); }
ScheduleOp FB(int f, int b) { return overlapped_op(pass_of(0, f), pass_of(0, b)); }

std::vector<double> starts(const Timeline& t, int rank) {
  std::vector<double> v;
  for (const OpTiming& o : t.ops[static_cast<std::size_t>(rank)]) v.push_back(o.start_s);
  return v;
}

TEST(ScheduleTimeline, TwoRankOneFOneBMatchesHandComputedTimes) {
  // F=1, B=2. rank 0: F0[0,1] F1[1,2] B0[4,6] B1[7,9];
  //           rank 1: F0[1,2] B0[2,4] F1[4,5] B1[5,7].
  const Timeline t = evaluate_timeline(one_f_one_b(2, 2), closed_form_durations());
  EXPECT_EQ(starts(t, 0), (std::vector<double>{0, 1, 4, 7}));
  EXPECT_EQ(starts(t, 1), (std::vector<double>{1, 2, 4, 5}));
  EXPECT_DOUBLE_EQ(t.makespan_s, 9.0);
  EXPECT_DOUBLE_EQ(t.ranks[0].busy_s, 6.0);
  EXPECT_DOUBLE_EQ(t.ranks[0].idle_s, 3.0);
  EXPECT_DOUBLE_EQ(t.ranks[1].idle_s, 3.0);
  EXPECT_DOUBLE_EQ(t.ranks[1].span_idle_s, 0.0);  // rank 1 works without a gap from 1 to 7
  EXPECT_DOUBLE_EQ(t.ranks[1].first_start_s, 1.0);
  EXPECT_DOUBLE_EQ(t.ranks[1].last_end_s, 7.0);
}

TEST(ScheduleTimeline, CrossRankDependenciesPayTheHopLatency) {
  // Latency 0.5 per hop: rank 1 F0[1.5,2.5] B0[2.5,4.5] F1[4.5,5.5] B1[5.5,7.5];
  // rank 0 F0[0,1] F1[1,2] B0[5,7] B1[8,10].
  OpDurations d = closed_form_durations();
  d.p2p_latency_s = 0.5;
  const Timeline t = evaluate_timeline(one_f_one_b(2, 2), d);
  EXPECT_EQ(starts(t, 0), (std::vector<double>{0, 1, 5, 8}));
  EXPECT_EQ(starts(t, 1), (std::vector<double>{1.5, 2.5, 4.5, 5.5}));
  EXPECT_DOUBLE_EQ(t.makespan_s, 10.0);
}

TEST(ScheduleTimeline, DualPipeVTurnaroundOnLastRankIsLocal) {
  // One device: every dependency is local, so latency changes nothing and the
  // rank never idles: rank 0 = F0 F0' F1 B0' F1'&B0 B1' Bi1 W.
  OpDurations d = closed_form_durations();
  d.p2p_latency_s = 10.0;
  const Timeline t = evaluate_timeline(dualpipev(1, 2), d);
  ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
  EXPECT_DOUBLE_EQ(t.makespan_s, 1 + 1 + 1 + 2 + 3 + 2 + 1 + 1);
  EXPECT_DOUBLE_EQ(t.ranks[0].idle_s, 0.0);
}

TEST(ScheduleTimeline, OverlappedOpWaitsForItsBackwardDependency) {
  // rank 0's F2&B0: F2 needs nothing (first stage) but B0 needs rank 1's B0,
  // which ends at 4, so the F&B runs [4,7] although rank 0 is free at 2.
  const Schedule s = plain_schedule(2, 3, {{F(0), F(1), FB(2, 0), B(1), B(2)},
                                           {F(0), B(0), F(1), B(1), F(2), B(2)}});
  const Timeline t = evaluate_timeline(s, closed_form_durations());
  ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
  EXPECT_EQ(starts(t, 0), (std::vector<double>{0, 1, 4, 7, 10}));
  EXPECT_EQ(starts(t, 1), (std::vector<double>{1, 2, 4, 5, 7, 8}));
  EXPECT_DOUBLE_EQ(t.makespan_s, 12.0);
}

TEST(ScheduleTimeline, OverlappedOpWaitsForItsForwardDependency) {
  // rank 1's F2&B1: B1 is ready at 3 (own F1), rank 1 is free at 5, but F2
  // leaves rank 0 only at 8 (rank 0 runs B0 [5,7] before F2 [7,8]).
  const Schedule s = plain_schedule(2, 3, {{F(0), F(1), B(0), F(2), B(1), B(2)},
                                           {F(0), F(1), B(0), FB(2, 1), B(2)}});
  const Timeline t = evaluate_timeline(s, closed_form_durations());
  ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
  EXPECT_EQ(starts(t, 0), (std::vector<double>{0, 1, 5, 7, 11, 13}));
  EXPECT_EQ(starts(t, 1), (std::vector<double>{1, 2, 3, 8, 11}));
  EXPECT_DOUBLE_EQ(t.makespan_s, 15.0);
}

TEST(ScheduleTimeline, WeightOpsTakeQueuedWorkOldestFirst) {
  // DualPipe P=4 N=8 rank 0: F0 F1 F2 F0' Bi0' W F1' ... Bi2 W Bi3 W.
  const Schedule s = dualpipe(4, 8);
  const Timeline t = evaluate_timeline(s, closed_form_durations());
  ASSERT_FALSE(t.deadlocked()) << t.deadlock_report();
  std::vector<PassRef> ran;
  for (std::size_t i = 0; i < s.ranks[0].size(); ++i) {
    if (s.ranks[0][i].kind == OpKind::W) ran.push_back(t.ops[0][i].w_pass);
  }
  EXPECT_EQ(ran, (std::vector<PassRef>{pass_of(1, 0), pass_of(0, 2), pass_of(0, 3)}));
}

TEST(ScheduleTimeline, ReportsWhichRanksAreStuckAtWhichOp) {
  // Rank 0 needs B0 from rank 1 before it sends F1; rank 1 runs F1&B0 and so
  // needs F1 first: a cycle.
  const Schedule s = plain_schedule(2, 2, {{F(0), B(0), F(1), B(1)}, {F(0), FB(1, 0), B(1)}});
  const Timeline t = evaluate_timeline(s, closed_form_durations());
  ASSERT_TRUE(t.deadlocked());
  ASSERT_EQ(t.stuck.size(), 2u);
  EXPECT_EQ(t.stuck[0].rank, 0);
  EXPECT_EQ(t.stuck[0].op_index, 1);
  EXPECT_EQ(t.stuck[1].rank, 1);
  EXPECT_EQ(t.stuck[1].op_index, 1);
  EXPECT_EQ(t.deadlock_report(),
            "rank 0 stuck at op 1 (B0): waiting for backward of mb 0 at stage 1\n"
            "rank 1 stuck at op 1 (F1&B0): waiting for F of mb 1 at stage 0\n");
}

TEST(ScheduleTimeline, WeightWithEmptyQueueIsReportedAsStuck) {
  const Schedule s = plain_schedule(1, 1, {{F(0), weight_op(), B(0)}});
  const Timeline t = evaluate_timeline(s, closed_form_durations());
  ASSERT_TRUE(t.deadlocked());
  EXPECT_EQ(t.deadlock_report(), "rank 0 stuck at op 1 (W): waiting for weight-grad work, but the W queue is empty\n");
}

TEST(ScheduleTimeline, PeakActivationsCountOverlappedForwardBeforeFreeing) {
  // F0 F1 F2&B0: live 1, 2, then 3 during the F&B, back to 2 after it.
  const Schedule s = plain_schedule(1, 3, {{F(0), F(1), FB(2, 0), B(1), B(2)}});
  EXPECT_EQ(peak_activations(s), std::vector<int>{3});
}

TEST(ScheduleTimeline, IdleIsMakespanMinusBusyOnEveryRank) {
  const Timeline t = evaluate_timeline(zb1p(4, 8), closed_form_durations());
  for (const RankTiming& r : t.ranks) {
    EXPECT_DOUBLE_EQ(r.idle_s + r.busy_s, t.makespan_s);
    EXPECT_LE(r.span_idle_s, r.idle_s);
  }
}

TEST(Timeline, AStopRequestedBeforeTheSweepCancelsTheEvaluation) {
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(evaluate_timeline(one_f_one_b(4, 8), closed_form_durations(), stop.get_token()), Cancelled);
  EXPECT_NO_THROW(evaluate_timeline(one_f_one_b(4, 8), closed_form_durations(), std::stop_source().get_token()));
}

}  // namespace
}  // namespace moeplan::schedule
