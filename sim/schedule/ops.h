// Constructors for the five schedule operations, so that generators read as
// op patterns ("F", "Bi", "W", "F&B") rather than as struct initialisation.
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

inline ScheduleOp forward_op(PassRef p) { return ScheduleOp{OpKind::F, p, {}, {}, true}; }
inline ScheduleOp backward_op(PassRef p) { return ScheduleOp{OpKind::B, p, {}, {}, true}; }
inline ScheduleOp input_grad_op(PassRef p) { return ScheduleOp{OpKind::Bi, p, {}, {}, true}; }
inline ScheduleOp weight_op() { return ScheduleOp{OpKind::W, {}, {}, {}, true}; }
// Forward of `f` overlapped with the backward of `b` (a full B unless `full_b` is false).
inline ScheduleOp overlapped_op(PassRef f, PassRef b, bool full_b = true) {
  return ScheduleOp{OpKind::FB, {}, f, b, full_b};
}

// A pass whose chunk equals its direction (every kind except interleaved).
inline PassRef pass_of(int dir, int mb) { return PassRef{dir, dir, mb}; }

}  // namespace moeplan::schedule
