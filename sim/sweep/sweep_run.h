// Runs a sweep: its configurations (or one shard of them) through the
// tiers it asks for, `jobs` at a time, each result appended to the results
// file as soon as it is known. With `resume`, configurations whose hash is
// already in the file are skipped, so a killed sweep finishes the rest and
// recomputes nothing.
#pragma once

#include <functional>
#include <stop_token>
#include <string>

#include "sim/sweep/evaluate.h"
#include "sim/sweep/results.h"
#include "sim/sweep/sweep_spec.h"

namespace moeplan::sweep {

// Task `index` of `count` (0-based, as a Slurm array's SLURM_ARRAY_TASK_ID
// with --array=0-15): the configurations whose index is index mod count.
struct Shard {
  int index = 0, count = 1;
  std::string text() const;
  // "3/16"; throws std::invalid_argument saying what is valid.
  static Shard parse(const std::string& text);
};

struct SweepProgress {
  std::size_t done = 0, total = 0;  // rows written by this run, rows it has to write
  std::size_t skipped = 0;          // already in the results file (resume)
  std::size_t invalid = 0, errors = 0;
  double elapsed_s = 0;
};

struct SweepOptions {
  std::string output;
  Format format = Format::Csv;
  int jobs = 1;
  bool resume = false;
  Shard shard;
  EvaluateOptions evaluate;
  std::function<void(const SweepProgress&)> progress;  // after every row, from a worker thread (serialised)
  std::stop_token stop = {};
};

// Throws std::runtime_error for a results file it cannot use (exists without
// resume, other columns); configurations that fail are rows, not exceptions.
SweepProgress run_sweep(const SweepSpec& spec, const SweepOptions& opt);

// The tiers a sweep of `t` runs, in order.
std::vector<Tier> tiers_of(Tier t);

}  // namespace moeplan::sweep
