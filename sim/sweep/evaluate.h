// One configuration, evaluated by one tier, as a results row's status,
// reason and metrics: the analytical estimate in process, or the SimGrid
// simulation in a child process (runner/simulation_job.h). Shared by sweeps
// and the auto-planner.
#pragma once

#include <map>
#include <optional>
#include <stop_token>
#include <string>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/sweep/sweep_spec.h"

namespace moeplan::sweep {

struct Evaluation {
  std::string status = "ok";  // ok | invalid | error | cancelled
  std::string reason;
  std::map<std::string, double> metrics;  // results.h metric columns
  double wall_s = 0;
};

struct EvaluateOptions {
  std::string calibration_path;
  std::string moeplan_path;  // DES: the child executable (default: runner's)
  double timeout_s = 0;      // DES: per simulation; 0: none
};

// Parses and validates scenario text standing for `path`: the scenario and
// plan, or an `invalid` evaluation naming the problems.
struct Parsed {
  std::optional<config::Scenario> scenario;
  std::optional<plan::ValidatedPlan> plan;
  std::string problems;  // diagnostics, one per line
};
Parsed parse_and_validate(const std::string& text, const std::string& path);

Evaluation evaluate(const std::string& text, const std::string& path, Tier tier, const EvaluateOptions& opt,
                    std::stop_token stop = {});

}  // namespace moeplan::sweep
