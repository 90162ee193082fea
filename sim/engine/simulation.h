// The whole pipeline for one scenario: validated plan -> program -> SimGrid
// run -> report. The CLI and the GUI call this; neither re-implements a step.
#pragma once

#include <functional>

#include "sim/config/scenario.h"
#include "sim/engine/executor.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"
#include "sim/report/report.h"

namespace moeplan::engine {

struct SimulationResult {
  program::Program program;
  SimOutput output;
  report::Report report;
};

struct SimulationOptions {
  std::string calibration_path;  // empty: efficiencies from the GPU file
  std::function<void(double)> progress;
};

// Builds the program (reduced or full as the scenario asks) and simulates it.
// One SimGrid engine per process: call once per process.
SimulationResult simulate(const config::Scenario& sc, const plan::ValidatedPlan& vp, const SimulationOptions& opt = {});

}  // namespace moeplan::engine
