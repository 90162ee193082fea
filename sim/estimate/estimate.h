// The analytical tier: a step's report in milliseconds, from the same
// program builder and cost model the SimGrid tier uses, without SimGrid.
//
//   1. Probes. For every distinct schedule op of every pipeline rank (F, B,
//      Bi, W of each of its chunks, F&B of each pair of chunks), the step's
//      own builder emits that rank's ops for one micro-batch (workload::
//      TrainStepProbe), and the op timer (op_timer.h) times them: compute
//      from the cost model, all-to-alls and collectives from the port model,
//      a compute/communication overlap as the program's dependencies allow.
//   2. The schedule. The pipeline schedule's timeline (schedule/timeline.h)
//      runs every rank's op list with those durations, and a pipeline hop
//      costs the activation's transfer between the two GPUs.
//   3. The end of the step. Each rank's data-parallel sync (gradient
//      reduce-scatter, optimizer, parameter all-gather) is probed the same
//      way and follows the rank's last op; the step ends with the last rank.
//
// A serving step (no pipeline schedule) is its reduced step program timed as
// one run of the op timer; the request stream (workload.traffic) is
// `moeplan simulate`'s.
//
// What it leaves out, against the SimGrid tier: contention between
// concurrent transfers of different ops (a PP transfer beside an all-to-all,
// two micro-batches' all-to-alls on one NIC), ECMP collisions in the switches,
// and members entering an all-to-all at different times under skewed
// routing (the reduced program's busiest GPU paces the whole group).
#pragma once

#include <stop_token>
#include <string>

#include "sim/config/scenario.h"
#include "sim/cost/cost_model.h"
#include "sim/plan/validate.h"
#include "sim/report/report.h"

namespace moeplan::estimate {

struct Estimate {
  report::Report report;  // sim_wall_s: the estimate's own wall time
  int probes = 0;         // distinct schedule ops timed
  std::size_t probe_ops = 0;  // ops the probes built
};

Estimate estimate_step(const config::Scenario& sc, const plan::ValidatedPlan& vp, const cost::CostModel& cost,
                       std::stop_token stop = {});

}  // namespace moeplan::estimate
