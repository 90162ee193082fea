// A program read from a file is user input: before any executor (the SimGrid
// engine, the runtime's planners) reads it, it is checked here, and every
// problem is a std::runtime_error naming the op id (or the program field), the
// value and what is valid. check_program() (program.h) stays for programs
// moeplan builds itself, where the same problems are bugs.
//
// Checked, in order:
//   sizes      world_size in [1, kMaxWorldSize]; rank_gpu one GPU per rank;
//   tables     groups' ranks inside the world and distinct; traffic matrices
//              square, leads' FLOPs and bytes of one length; all finite, >= 0;
//   ops        numbers finite and >= 0; receives without deps; all-to-all send
//              sizes, traffic and lead indices fitting the group;
//   structure  the program's index (ranks, peers, deps, pairing, instances);
//   progress   the program runs to its end: no cycle of waits through deps,
//              stream order, transfers and collective members (wait_graph.h).
#pragma once

#include "sim/program/program.h"

namespace moeplan::program {

// The most ranks a program may have: 2^20 (the largest topology file holds
// as many GPUs); its per-rank tables then take ~100 MB.
inline constexpr int kMaxWorldSize = 1 << 20;

void check_program_input(const Program& p);

}  // namespace moeplan::program
