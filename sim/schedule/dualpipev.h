// DualPipeV ("cut-in-half" DualPipe): P devices run 2P stages in a V; rank r
// holds stage r (direction 0, on the way down) and stage 2P-1-r (direction 1,
// on the way back up). All N micro-batches enter at rank 0 and turn around
// locally on rank P-1; the loss is on rank 0.
//
//   dir 0:  rank 0 -> rank 1 -> ... -> rank P-1 --.
//                                                  | (local turn, no comm)
//   dir 1:  rank 0 (loss) <- rank 1 <- ... <- rank P-1
//
// Each rank runs the eight phases of dual_phases.h with hp = P, h = r, H = N;
// near = dir 0, far = dir 1; the last rank splits its first steady-state pair.
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// Throws std::invalid_argument unless P >= 1 and N >= 2P.
Schedule dualpipev(int pp, int microbatches);

}  // namespace moeplan::schedule
