// Ring collectives (reduce-scatter, all-gather, all-reduce): each of the
// ring's steps sends bytes/n from every member to the next. The SimGrid
// engine runs them step by step; the port model times them in closed form.
#pragma once

#include "sim/program/program.h"

namespace moeplan::comm {

// Steps of the ring algorithm over n members: n-1 for reduce-scatter and
// all-gather, 2(n-1) for all-reduce. Not defined for all-to-all.
int ring_steps(program::CollectiveKind kind, int n);

}  // namespace moeplan::comm
