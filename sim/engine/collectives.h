// Collectives expanded into the point-to-point transfers of named algorithms,
// run by one SimGrid actor per member:
//   ring      reduce-scatter (n-1 steps), all-gather (n-1), all-reduce (2(n-1)):
//             each step sends bytes/n to the next member and receives from the previous;
//   flows     all-to-all: every member posts its sends at once (as NCCL's
//             grouped send/recv does) and waits for its receives (see
//             all_to_all_flows.h for the pairwise and hierarchical plans).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/comm/all_to_all_flows.h"
#include "sim/comm/ring.h"
#include "sim/program/program.h"

namespace moeplan::engine {

using comm::Flow;
using comm::instance_flows;
using comm::ring_steps;

// One member's part. `prefix` makes mailbox names unique to the instance;
// `bytes` is the full buffer per rank.
void run_ring_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes);
// Posts member `me`'s sends of `flows` at once and waits for them and for
// every flow addressed to it.
void run_flows_member(const std::string& prefix, int me, const std::vector<Flow>& flows);

// Member `me` of `n` runs its part of a collective of `kind` (ring or flows).
void run_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes,
                const std::vector<Flow>& flows);

// The ordered GPU pairs a collective over `gpus` talks over: each flow's ends
// for an all-to-all, each member and the next for a ring.
std::set<std::pair<int, int>> collective_pairs(program::CollectiveKind kind, const std::vector<int>& gpus,
                                               const std::vector<Flow>& flows);


}  // namespace moeplan::engine
