// Programs of any size: a scenario's full program written as one file per
// rank (program/rank_program.h), built a pipeline (one data-parallel index)
// at a time, so memory is bounded by what one pipeline needs whatever the
// cluster size. A manifest (manifest.json) written last lists the files;
// its presence means the set is complete.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"

namespace moeplan::pipeline {

struct RankFilesOptions {
  std::vector<int> ranks = {};                           // empty: every rank
  std::function<void(int done, int total)> progress = {};  // pipelines built
  std::stop_token stop = {};
};

struct RankFilesResult {
  int files = 0;
  std::size_t ops = 0;
  double bytes = 0;  // written
};

// "rank-00042.json" in `folder`.
std::string rank_file_name(int rank);

RankFilesResult write_rank_files(const config::Scenario& sc, const plan::ValidatedPlan& vp, const std::string& folder,
                                 const RankFilesOptions& opt = {});

// Ranks from "0-15,32,40-47" (each in [0, world)); throws std::invalid_argument naming the bad part.
std::vector<int> parse_rank_list(const std::string& text, int world);

// What holding the whole program in one process would take, measured on one
// pipeline and scaled by the pipeline count.
struct ProgramSizeEstimate {
  std::size_t ops = 0;
  double memory_bytes = 0;
};
ProgramSizeEstimate estimate_program_size(const config::Scenario& sc, const plan::ValidatedPlan& vp);

}  // namespace moeplan::pipeline
