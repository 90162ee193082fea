#include "sim/schedule/dual_phases.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace moeplan::schedule {
namespace {

// Phase 6 is the 2(h+1) backwards that follow the last F&B of phase 5 (or of
// phase 4 when phase 5 is empty).
std::vector<ScheduleOp> phase_six(const std::vector<ScheduleOp>& ops, int h) {
  std::size_t last_fb = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == OpKind::FB) last_fb = i;
  }
  const auto begin = ops.begin() + static_cast<std::ptrdiff_t>(last_fb + 1);
  return {begin, begin + 2 * (h + 1)};
}

TEST(DualPipePhases, PhaseSixSwitchesToInputGradHalfwayByParity) {
  // h odd: the switch comes before B(far) of iteration (h+1)/2, so the first
  // Bi is backward 2*((h+1)/2); h even: between B(far) and B(near), one later.
  for (int h = 0; h < 6; ++h) {
    DualPhaseRank rank;
    rank.span = 6;
    rank.position = h;
    rank.per_direction = 12;
    const std::vector<ScheduleOp> six = phase_six(dual_phase_ops(rank), h);
    const int first_bi = 2 * ((h + 1) / 2) + (h % 2 == 0 ? 1 : 0);
    for (int i = 0; i < static_cast<int>(six.size()); ++i) {
      EXPECT_EQ(six[static_cast<std::size_t>(i)].kind, i < first_bi ? OpKind::B : OpKind::Bi)
          << "h " << h << " backward " << i;
      EXPECT_EQ(six[static_cast<std::size_t>(i)].pass.dir, i % 2 == 0 ? rank.far_dir : rank.near_dir);
    }
  }
}

TEST(DualPipePhases, RejectsPositionOutsideSpanOrTooFewMicrobatches) {
  DualPhaseRank rank;
  rank.span = 2;
  rank.position = 2;
  rank.per_direction = 4;
  EXPECT_THROW(dual_phase_ops(rank), std::logic_error);
  rank.position = 1;
  rank.per_direction = 3;
  EXPECT_THROW(dual_phase_ops(rank), std::logic_error);
}

}  // namespace
}  // namespace moeplan::schedule
