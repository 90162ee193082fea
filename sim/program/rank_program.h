// One rank's part of a program, standing alone: the file a rank (or a
// runtime process) loads without the rest. Ops are renumbered 0..n-1 in the
// rank's order (every dependency stays on the rank: receives are posted
// eagerly and collectives pair by instance, never by a dependency), and only
// the groups, traffic matrices and leads the rank's ops use are kept.
//
// Collective instance ids are made canonical, so that rank files written
// from different builds agree: instance = group_key(group) * kInstanceStride
// + the op's ordinal among the rank's ops on that group (every member of a
// group runs its collectives in the same order), where group_key numbers a
// group by its kind and first rank.
#pragma once

#include "sim/program/program.h"

namespace moeplan::program {

inline constexpr int kInstanceStride = 1 << 16;  // collectives per rank per group a rank file can number

// Throws std::runtime_error when the rank holds no ops, depends on another
// rank's op, or runs more collectives on one group than kInstanceStride.
Program rank_program(const Program& p, int rank);

}  // namespace moeplan::program
