// Collectives expanded into the point-to-point transfers of named algorithms,
// run by one SimGrid actor per member:
//   ring      reduce-scatter (n-1 steps), all-gather (n-1), all-reduce (2(n-1)):
//             each step sends bytes/n to the next member and receives from the previous;
//   pairwise  all-to-all: every member posts its n-1 sends at once (as NCCL's
//             grouped send/recv does) and waits for its n-1 receives.
#pragma once

#include <string>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::engine {

// One member's part. `prefix` makes mailbox names unique to the instance;
// `bytes` is the full buffer per rank (ring); `matrix[i][j]` the bytes member i
// sends member j (all-to-all).
void run_ring_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes);
void run_all_to_all_member(const std::string& prefix, int me, const std::vector<std::vector<double>>& matrix);

void run_collective_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes,
                           const std::vector<std::vector<double>>& matrix);

// Ring algorithm steps and bytes per step, for closed-form checks.
int ring_steps(program::CollectiveKind kind, int n);

}  // namespace moeplan::engine
