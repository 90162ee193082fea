// Builds the program of one training step: every held rank's layer ops for
// each F / B / Bi / W of its pipeline schedule, the PP sends and receives
// between neighbouring stages, the expert-parallel all-to-alls of every MoE
// layer, and the ZeRO-1 data-parallel gradient reduce-scatter, optimizer step
// and parameter all-gather at the end of the step.
#pragma once

#include <memory>

#include <stop_token>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"

namespace moeplan::workload {

struct TrainStepOptions {
  // Reduced: hold the ranks of one pipeline (data-parallel index 0); every
  // other pipeline is identical under uniform routing, and collectives whose
  // members are not held are timed in isolation by the executor.
  bool reduced = false;
  std::stop_token stop = {};  // checked once per rank: throws moeplan::Cancelled
  // Full fidelity, but hold only the ranks of this data-parallel index (one
  // pipeline): a partial program, for writing rank files a pipeline at a
  // time. -1: every pipeline. Not with `reduced`.
  int pipeline = -1;
};

// The ops [first, last) of a program that one schedule op produced.
struct OpRange {
  program::OpId first = 0, last = 0;
};

class TrainStepBuilder;

// Probes for the analytical estimator: what one pipeline rank runs for a few
// of its schedule ops, built by the step's own builder in reduced fidelity,
// appended to one growing program (so traffic matrices are built once).
class TrainStepProbe {
 public:
  TrainStepProbe(const config::Scenario& sc, const plan::ValidatedPlan& vp);
  ~TrainStepProbe();
  TrainStepProbe(const TrainStepProbe&) = delete;
  TrainStepProbe& operator=(const TrainStepProbe&) = delete;

  // `ops` run in order on pipeline rank `pipe_rank` (data-parallel index 0),
  // each after the one before, as in the step. A backward needs its pass's
  // forward run before (in this call or an earlier one); a W runs the
  // weight-grad work of the pass it names, whose Bi (or F&B backward) ran
  // before. Returns the ops each produced.
  std::vector<OpRange> run(int pipe_rank, const std::vector<schedule::ScheduleOp>& ops);
  // The rank's end-of-step data-parallel sync (gradients, optimizer, parameters).
  OpRange dp_sync(int pipe_rank);
  const program::Program& program() const;

 private:
  std::unique_ptr<TrainStepBuilder> b_;
};

program::Program build_train_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const TrainStepOptions& opt);

}  // namespace moeplan::workload
