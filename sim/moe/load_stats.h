// Measured expert load: for each MoE layer, the tokens routed to each logical
// expert (counts or a moving average), as EPLB and the `measured` routing
// distribution consume it.
//
// Accepted files (the format is recognised from the first character):
//   JSON  {"layers": [[c0, c1, ...], [c0, c1, ...]]}   or   [[c0, ...], ...]
//   CSV   one row per layer, comma-separated counts; an optional header line
//         (any line-1 field that is not a number); blank lines and lines
//         starting with '#' are skipped.
// Every row must have the same number of experts; counts are finite and >= 0.
#pragma once

#include <string>
#include <vector>

#include "sim/util/diagnostics.h"

namespace moeplan::moe {

struct LoadStats {
  std::string file;                          // where the counts came from
  std::vector<std::vector<double>> tokens;   // [layer][logical expert] tokens routed

  int layers() const { return static_cast<int>(tokens.size()); }
  int experts() const { return tokens.empty() ? 0 : static_cast<int>(tokens.front().size()); }
};

// Reads a load file. Every problem (unreadable file, syntax error, ragged row,
// negative count, non-number) is added to `diag` with the file, the line and
// the row; the returned stats are empty when any was found.
LoadStats read_load_stats(const std::string& path, Diagnostics& diag);

// Parses file text already in memory; `file` names it in the diagnostics.
LoadStats parse_load_stats(const std::string& text, const std::string& file, Diagnostics& diag);

}  // namespace moeplan::moe
