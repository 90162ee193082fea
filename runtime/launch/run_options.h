// Command line of moeplan-run (CLI11): what to run, where to write, how long to
// measure and when to give up.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace moeplan::runtime {

struct RunOptions {
  std::string program_path;
  std::string trace_path = "measured.json";
  std::string chrome_path;      // empty: no Chrome trace
  int warmup_steps = 2;         // steps run before timing
  int measured_steps = 5;       // steps timed; per-op times are medians over these
  bool check = false;           // run the MoE layer correctness check instead of the program
  double timeout_s = 60;        // a communicator stuck this long aborts the run
  std::uint64_t seed = 1;       // weights and activations are drawn from this seed
  std::string work_dir;         // NCCL id and partial traces; default: <trace>.d
  int hang_rank = -1;           // fault injection (--inject-hang R:S): rank R stops
  int hang_step = -1;           //   answering at the start of step S (0-based)
};

// Registers the options on `app` (so tests parse argument vectors with it).
void add_run_options(CLI::App& app, RunOptions& options);

// Directory for the id file and per-rank partial traces.
std::string work_dir_of(const RunOptions& options);

}  // namespace moeplan::runtime
