// Single-node launcher: one child process per rank (fork), each running
// `rank_main(rank)`; the parent waits for all of them. A rank that fails (non-zero
// exit, signal) or a job that outlives its deadline ends the others (SIGTERM,
// then SIGKILL after a grace period), so no rank is left hanging.
//
//   parent ── fork ──► rank 0 ── rank_main(0) ─► exit code
//          ├─ fork ──► rank 1 ── rank_main(1) ─► exit code
//          └─ waitpid all; first failure => terminate the rest
//
// The parent must not have touched CUDA (a CUDA context does not survive fork).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace moeplan::runtime {

struct RankExit {
  int rank = -1;
  int exit_code = 0;      // exit status, or 128 + signal
  bool terminated = false;  // ended by the launcher because another rank failed or time ran out
  std::string describe() const;
};

struct LaunchResult {
  std::vector<RankExit> ranks;  // by rank
  bool timed_out = false;
  bool ok() const;
  std::string summary() const;  // one line per failed rank
};

// deadline_s <= 0: no deadline.
LaunchResult launch_local(int ranks, const std::function<int(int rank)>& rank_main, double deadline_s);

// Runs `fn` in a forked child and returns what it wrote (up to 64 KiB) to the
// pipe: a way to ask CUDA about the GPUs without initialising CUDA in the
// parent. Throws std::runtime_error if the child fails.
std::string run_in_child(const std::function<std::string()>& fn);

}  // namespace moeplan::runtime
