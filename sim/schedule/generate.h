// Entry point of the schedule generators: one call for every Kind, plus the
// caller-side check that the model's layers split evenly over the stages.
#pragma once

#include <cstdint>

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

// pp ranks, `microbatches` per step (N, total over both directions), `chunks`
// model chunks per device for Kind::Interleaved (v >= 2); the other kinds have
// a fixed chunk count (1 for 1f1b/zb1p, 2 for dualpipe/dualpipev) and ignore
// `chunks`. Throws std::invalid_argument naming the bad values and the valid
// ranges when the kind's constraints are not met.
// Refuses, before building anything, a schedule of more than
// kMaxScheduleEntries passes (pp x micro-batches x chunks x 3: F, B and W):
// a pass takes ~60 B (1f1b, pp 64, 100,000 micro-batches: 12.8M passes in
// 0.79 s and 755 MB on a 2-core machine), so the limit is ~2 GB and ~2 s.
Schedule generate(Kind kind, int pp, int microbatches, int chunks = 1);
inline constexpr long long kMaxScheduleEntries = 1LL << 25;

// Throws std::invalid_argument unless `layers` splits evenly into the
// schedule's stage_count(s) stages (P for 1f1b/zb1p/dualpipe, P x v for
// interleaved, 2P for dualpipev).
void check_layers(const Schedule& s, int layers);

}  // namespace moeplan::schedule
