// The ranks' partial traces (work directory, one file per rank) merged into the
// measured trace: the simulator's schema plus "gpu", step times, the dispatch
// all-to-all benchmark and, when a rank failed, its error and "partial": true.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/program/program.h"
#include "sim/trace/trace.h"

namespace moeplan::runtime {

struct MergedRun {
  trace::Trace trace;
  nlohmann::json json;       // what is written to --trace
  double step_time_s = 0;    // max over ranks of the rank's median step time
  double tokens_per_step = 0;
  std::vector<std::string> errors;  // "rank r: message"
  int missing_ranks = 0;
};

// Missing files count as missing ranks (a rank that died before writing).
MergedRun merge_partial_traces(const program::Program& p, const std::vector<std::string>& rank_files);

// Step time, tokens/s, per-op-kind busy time summed over ranks, all-to-all ratios.
std::string summary_text(const program::Program& p, const MergedRun& run);

}  // namespace moeplan::runtime
