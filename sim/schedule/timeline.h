// The schedule timeline: runs a Schedule's per-rank op lists against constant
// per-op durations and derives when every op starts and ends.
//
// Dependency rules (a rank runs its ops strictly in list order, one at a time):
//   F(p)      after the F of the same micro-batch at the previous stage of its
//             flow (none at the first stage). DualPipeV's turn on the last rank
//             (stage P-1 -> stage P) is local: it costs no communication.
//   B/Bi(p)   after the B/Bi of the same micro-batch at the next stage (none at
//             the last stage, which starts from the loss) and after F(p).
//   W         takes the oldest queued weight-grad work of its rank (FIFO; Bi and
//             an F&B whose backward is input-grad only queue one). The W comes
//             after that Bi by the in-order rule; a W with an empty queue can
//             never run and is reported as stuck.
//   F&B(f,b)  starts when both F(f)'s and B(b)'s dependencies are met, lasts fb_s.
// A dependency produced on another rank is ready p2p_latency_s after it ends;
// one produced on the same rank is ready when it ends.
//
// Idle time. busy_s is the sum of a rank's op durations. idle_s = makespan_s -
// busy_s (time the rank is not computing between the step's start at 0 and
// its end at the makespan). span_idle_s is the idle time inside the rank's own
// window [first start, last end]. The closed-form bubbles of schedules.md are
// the worst rank's idle_s (see docs/schedules.md).
#pragma once

#include <functional>
#include <stop_token>

#include <string>
#include <vector>

#include "sim/schedule/schedule.h"

namespace moeplan::schedule {

struct OpDurations {
  double f_s = 1.0;   // forward chunk
  double b_s = 2.0;   // full backward chunk (input grad + weight grad)
  double bi_s = 1.0;  // input-grad backward only
  double w_s = 1.0;   // weight-grad part
  double fb_s = 3.0;  // forward and backward overlapped (F&B)
  double p2p_latency_s = 0.0;  // per hop between two different ranks
};

struct OpTiming {
  double start_s = 0.0;
  double end_s = 0.0;
  PassRef w_pass;  // W only: the pass whose weight-grad work this W ran
};

struct RankTiming {
  double busy_s = 0.0;
  double idle_s = 0.0;       // makespan - busy
  double span_idle_s = 0.0;  // (last end - first start) - busy
  double first_start_s = 0.0;
  double last_end_s = 0.0;
  int peak_activations = 0;  // passes whose F ran and whose backward has not
};

// A rank that could not run its next op when nothing could make progress.
struct StuckRank {
  int rank = 0;
  int op_index = 0;       // index of the op it is waiting at
  ScheduleOp op;
  std::string waiting_for;  // which dependency is missing, in words
};

struct Timeline {
  std::vector<std::vector<OpTiming>> ops;  // ops[r][i] for every op that ran
  std::vector<RankTiming> ranks;
  double makespan_s = 0.0;
  std::vector<StuckRank> stuck;  // empty unless the schedule deadlocks

  bool deadlocked() const { return !stuck.empty(); }
  double worst_idle_s() const;
  // One line per stuck rank: "rank 2 stuck at op 5 (B3'): waiting for ...".
  std::string deadlock_report() const;
};

// Durations that vary by rank and pass (the analytical estimator's): op_s
// for every op (a W arrives with `pass` set to the pass whose weight-grad work
// it runs, the head of its rank's queue); hop_s for a dependency between two
// different ranks.
// out_s, when set, is how long after its start an op's output leaves for
// the neighbouring stage (forward: the activation; else: the gradient), for
// ops that finish other work after it (a B's weight grads after its input
// grad); unset: at its end.
struct DurationModel {
  std::function<double(int rank, const ScheduleOp& op)> op_s;
  std::function<double(int from_rank, int to_rank)> hop_s;
  std::function<double(int rank, const ScheduleOp& op, bool forward)> out_s;
};

// Throws moeplan::Cancelled when `stop` is requested (checked once per sweep over the ranks).
Timeline evaluate_timeline(const Schedule& s, const DurationModel& d, std::stop_token stop = {});
// Constant durations for every rank and pass.
Timeline evaluate_timeline(const Schedule& s, const OpDurations& d, std::stop_token stop = {});

// Peak activations in flight per rank, from the op order alone: a pass is live
// from its F until its B/Bi, or the backward half of an F&B, completes. An F&B
// counts its forward before it frees its backward.
std::vector<int> peak_activations(const Schedule& s);

}  // namespace moeplan::schedule
