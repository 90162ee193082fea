// Does a program run to its end? Runs it without time, as every executor
// does: an op on a stream starts after the stream's previous op (sends and
// receives are on no stream) and once its deps are done; a send completes
// with its receive; the members of a collective instance whose whole group is
// held complete together, once each is ready. What is left undone is stuck
// on a cycle of waits (or on a receive whose send is never posted).
#pragma once

#include <optional>
#include <string>

#include "sim/program/program.h"
#include "sim/program/program_index.h"

namespace moeplan::program {

// Empty when every op completes; else a message naming a cycle of waits, op
// by op ("op 0 waits for op 3 (a dependency), ..."). O(ops + deps).
std::optional<std::string> find_deadlock(const Program& p, const ProgramIndex& index);

}  // namespace moeplan::program
