// Interleaved 1F1B (Megatron virtual pipeline): each device holds v model
// chunks; stage s = c*P + r lives on device r = s mod P as its chunk c.
// Ops are ordered by Megatron's virtual micro-batch id k (0 .. N*v-1): groups
// of P micro-batches go through chunk 0, then chunk 1, ... (forward) and
// through chunk v-1, ..., chunk 0 (backward). Rank r runs
// min((P-r-1)*2 + (v-1)*P, N*v) warm-up forwards, then F/B pairs, then the
// remaining backwards.
#pragma once

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// P ranks, N micro-batches, v chunks per device. Throws std::invalid_argument
// unless P >= 1, N >= 1, N is a multiple of P and v >= 2.
Schedule interleaved(int pp, int microbatches, int chunks);

}  // namespace moeplan::schedule
