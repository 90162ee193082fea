// The one entry from a validated scenario to its program, whatever the
// workload kind: training builds one optimizer step (train_step.h); serving
// (prefill/decode iterations) joins here as its own builder.
#pragma once

#include <stop_token>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"

namespace moeplan::workload {

struct BuildOptions {
  // Hold the ranks of one pipeline (data-parallel index 0) and let the
  // executor time collectives whose members are not held in isolation.
  bool reduced = false;
  std::stop_token stop = {};  // building throws moeplan::Cancelled once stop is requested
  int pipeline = -1;          // >= 0: hold only this data-parallel index, full fidelity (a partial program)
};

program::Program build_program(const config::Scenario& sc, const plan::ValidatedPlan& vp, const BuildOptions& opt);

}  // namespace moeplan::workload
