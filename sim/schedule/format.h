// Text, JSON and Chrome trace-event renderings of schedules and timelines.
//
// Text notation (one line per rank, ops separated by spaces):
//   F3     forward of micro-batch 3, direction 0
//   F3'    forward of micro-batch 3, direction 1 (DualPipe: entered at rank
//          P-1; DualPipeV: on the way back up). A prime always means dir 1.
//   F3c1   interleaved 1F1B: forward of micro-batch 3 through model chunk 1
//          (interleaved schedules always print the chunk: F3c0, F3c1, ...)
//   B3     full backward;  Bi3  input-grad-only backward;  W  weight-grad work
//   F3&B1' forward of 3 overlapped with the backward of 1' (F3&Bi1' when the
//          backward half is input-grad only)
//   rank 0: F0 F1 F2 F0' Bi0' W F1' F3&B1' ...
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/schedule/schedule.h"
#include "sim/schedule/timeline.h"

namespace moeplan::schedule {

// One op in the text notation above, e.g. "F3'", "Bi0", "F3&B1'", "W";
// `show_chunk` appends the chunk to every pass ("F3c0").
std::string op_label(const ScheduleOp& op, bool show_chunk = false);

// "rank r: op op op\n" for every rank.
std::string to_text(const Schedule& s);

// {"schedule": "dualpipe", "pp": P, "microbatches": N, "chunks": v,
//  "ranks": [{"rank": r, "ops": [{"op": "F", "dir": d, "mb": m, "chunk": c}, ...
//            {"op": "FB", "f": {"dir", "mb", "chunk"}, "b": {"dir", "mb", "chunk"}, "full_b": true},
//            {"op": "W"}]}]}
nlohmann::json to_json(const Schedule& s);

// Chrome trace-event JSON ({"traceEvents": [...]}, load in chrome://tracing or
// Perfetto): one process per rank, one complete ("X") event per op named like
// "F mb3 dir0" or "F mb3 dir0 & B mb1 dir1"; W is named after the pass whose
// weight-grad work it ran. Timestamps are microseconds of timeline time.
nlohmann::json to_chrome_trace(const Schedule& s, const Timeline& t);

}  // namespace moeplan::schedule
