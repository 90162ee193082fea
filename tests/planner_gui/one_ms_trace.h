// A measured trace made here for the GUI tests, with a closed form: each
// (rank, stream) runs its ops back to back, 1 ms each, in program order, so
// a kind's measured time is its counted ops x 1 ms.
#pragma once

#include <map>
#include <utility>

#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::gui::test {

inline trace::Trace one_ms_trace(const program::Program& p) {
  trace::Trace t;
  t.source = "runtime";
  std::map<std::pair<int, int>, double> clock;
  for (const auto& op : p.ops) {
    auto& now = clock[{op.rank, static_cast<int>(op.stream)}];
    t.records.push_back({op.id, op.rank, op.stream, now, now + 1e-3});
    now += 1e-3;
  }
  return t;
}

}  // namespace moeplan::gui::test
