// The whole pipeline for one scenario, in the core: validated plan ->
// program -> op costs -> executor -> report. The CLI, the child-process
// runner, sweeps and the GUI call this (or a child process that does);
// none re-implements a step.
#pragma once

#include <functional>
#include <stop_token>
#include <string>

#include "sim/config/scenario.h"
#include "sim/pipeline/executor.h"
#include "sim/plan/validate.h"
#include "sim/report/report.h"

namespace moeplan::pipeline {

struct SimulationOptions {
  std::string calibration_path;  // empty: efficiencies from the GPU file
  std::function<void(double)> progress;
  std::stop_token stop = {};     // checked while the program is built
};

struct SimulationResult {
  program::Program program;
  Execution execution;
  report::Report report;
  // A serving scenario with a request stream: the pools' step timeline as a
  // Chrome trace (serving/traffic_simulation.h); null otherwise.
  nlohmann::json pools_trace;
};

// Builds the program (reduced or full as the scenario asks), executes it, reports.
SimulationResult simulate(const config::Scenario& sc, const plan::ValidatedPlan& vp, const Executor& executor,
                          const SimulationOptions& opt = {});

// The cost model of a scenario's GPU, calibrated when a calibration file is given.
cost::CostModel cost_model_for(const config::Scenario& sc, const std::string& calibration_path);

// Executes a program that was planned elsewhere (read from JSON) on the
// topology and GPU of `sc`, checking the topology is large enough.
trace::Trace execute_program(const program::Program& p, const config::Scenario& sc,
                             const std::string& calibration_path, const Executor& executor);

}  // namespace moeplan::pipeline
