// Shared, generator-independent expectations for schedule tests.
#pragma once

#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "sim/schedule/schedule.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule::test_support {

// The durations of schedules.md's closed forms: F=1, B=2, W=1, F&B=3, Bi=F=1.
inline OpDurations closed_form_durations() {
  OpDurations d;
  d.f_s = 1.0;
  d.b_s = 2.0;
  d.w_s = 1.0;
  d.fb_s = 3.0;
  d.bi_s = 1.0;
  d.p2p_latency_s = 0.0;
  return d;
}

// Every rank runs every micro-batch of every stage it holds exactly once
// forward and once backward: chunks 0..v-1 (interleaved, direction 0), or one
// chunk per direction (DualPipe: N/2 micro-batches each; DualPipeV: N each).
inline void expect_every_pass_once_forward_and_backward(const Schedule& s) {
  const int per_chunk = s.kind == Kind::DualPipe ? s.microbatches / 2 : s.microbatches;
  ASSERT_EQ(static_cast<int>(s.ranks.size()), s.pp);
  for (int r = 0; r < s.pp; ++r) {
    std::map<std::tuple<int, int, int>, int> forwards;
    std::map<std::tuple<int, int, int>, int> backwards;
    auto key = [](const PassRef& p) { return std::tuple{p.dir, p.chunk, p.mb}; };
    for (const ScheduleOp& op : s.ranks[static_cast<std::size_t>(r)]) {
      if (op.kind == OpKind::F) ++forwards[key(op.pass)];
      if (op.kind == OpKind::B || op.kind == OpKind::Bi) ++backwards[key(op.pass)];
      if (op.kind == OpKind::FB) {
        ++forwards[key(op.f)];
        ++backwards[key(op.b)];
      }
    }
    std::map<std::tuple<int, int, int>, int> expected;
    for (int c = 0; c < s.chunks; ++c) {
      const int dir = s.kind == Kind::Interleaved ? 0 : c;
      for (int m = 0; m < per_chunk; ++m) expected[{dir, c, m}] = 1;
    }
    EXPECT_EQ(forwards, expected) << "forwards of rank " << r;
    EXPECT_EQ(backwards, expected) << "backwards of rank " << r;
  }
}

// Every queued weight-grad work item is run: #W == #Bi (+ F&B with a Bi half).
inline void expect_weights_match_input_grads(const Schedule& s) {
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    int w = 0;
    int bi = 0;
    for (const ScheduleOp& op : s.ranks[r]) {
      if (op.kind == OpKind::W) ++w;
      if (op.kind == OpKind::Bi || (op.kind == OpKind::FB && !op.full_b)) ++bi;
    }
    EXPECT_EQ(w, bi) << "rank " << r;
  }
}

}  // namespace moeplan::schedule::test_support
