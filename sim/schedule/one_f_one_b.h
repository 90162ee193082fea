// 1F1B (PipeDream-flush, Megatron non-interleaved): warm-up forwards, then one
// forward / one backward alternately, then the remaining backwards.
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// P ranks, N micro-batches. Throws std::invalid_argument unless P >= 1 and N >= 1.
Schedule one_f_one_b(int pp, int microbatches);

}  // namespace moeplan::schedule
