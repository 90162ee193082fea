// ZB1P / ZB-H1 (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024):
// 1F1B with every backward split into Bi (input grad, on the critical path)
// and W (weight grad). Rank r defers its first r W's: it runs F/Bi pairs
// without W while the forwards queued by the warm-up let it, and pays the
// deferred W's in the cool-down, where 1F1B would idle. Activations in flight
// stay at 1F1B's bound (a pass is freed by its Bi).
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// P ranks, N micro-batches. Throws std::invalid_argument unless P >= 1 and N >= 1.
Schedule zb1p(int pp, int microbatches);

}  // namespace moeplan::schedule
