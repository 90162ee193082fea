// The eight-phase rank program shared by DualPipe and DualPipeV
// (docs/reference: schedules.md, "Eight phases per rank").
//
// DualPipe fills it with span = P/2, position = h = min(r, P-1-r),
// per_direction = N/2; DualPipeV with span = P, position = r, per_direction = N.
#pragma once

#include <vector>

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

struct DualPhaseRank {
  int span = 1;           // hp (DualPipe) or P (DualPipeV)
  int position = 0;       // h (DualPipe) or r (DualPipeV); 0 <= position < span
  int per_direction = 2;  // H = N/2 (DualPipe) or N (DualPipeV)
  int near_dir = 0;       // the direction injected nearest this rank
  int far_dir = 1;
  // DualPipe's middle ranks, DualPipeV's last rank: the first steady-state
  // pair runs F(near) and B(far) as two plain ops instead of one F&B.
  bool split_first_pair = false;
};

std::vector<ScheduleOp> dual_phase_ops(const DualPhaseRank& rank);

}  // namespace moeplan::schedule
