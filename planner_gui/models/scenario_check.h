// What the core says about a scenario being edited: the diagnostics of
// `moeplan validate` (the scenario written as YAML, read back with
// parse_scenario, checked with validate_plan) and the memory model's
// per-GPU bytes for every pipeline rank. Pure function of the scenario, so
// the job layer can run it on a worker thread.
#pragma once

#include <optional>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/plan/memory.h"
#include "sim/util/diagnostics.h"

namespace moeplan::gui {

struct ScenarioCheck {
  Diagnostics diagnostics;                      // empty: the plan validates
  std::optional<config::Scenario> parsed;       // read back (with referenced files), when it parsed cleanly
  std::vector<plan::MemoryBreakdown> memory;    // per pipeline rank; empty when the plan is too broken to size
  double hbm_bytes = 0;                         // of the scenario's GPU
  std::string yaml;                             // the text that was checked
  bool ok() const { return diagnostics.empty(); }
};

// `stands_for`: the file the scenario is (or will be) saved as; resolves relative references.
ScenarioCheck check_scenario(const config::Scenario& sc, const std::string& stands_for);

}  // namespace moeplan::gui
