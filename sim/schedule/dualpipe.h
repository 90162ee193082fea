// DualPipe (DeepSeek-V3 report, section 3.2.1; deepseek-ai/DualPipe):
// bidirectional pipeline over P ranks; rank r holds stage r of the direction-0
// model copy and stage P-1-r of the direction-1 copy. N/2 micro-batches enter
// at rank 0 (direction 0) and N/2 at rank P-1 (direction 1).
//
//   dir 0:  rank 0 -> rank 1 -> ... -> rank P-1 (loss)
//   dir 1:  rank 0 (loss) <- rank 1 <- ... <- rank P-1
//
// Each rank runs the eight phases of dual_phases.h with hp = P/2,
// h = min(r, P-1-r), H = N/2; near = dir 0 for r < P/2, dir 1 otherwise;
// the middle ranks P/2-1 and P/2 split their first steady-state pair.
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// Throws std::invalid_argument unless P >= 2 is even and N is even with N >= 2P.
Schedule dualpipe(int pp, int microbatches);

}  // namespace moeplan::schedule
