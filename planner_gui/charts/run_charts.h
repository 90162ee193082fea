// Charts of simulation runs, from the core's report JSON and memory model:
// the step breakdown as stacked bars (one bar per run), and memory per
// pipeline rank (stacked by kind) for one run.
#pragma once

#include <QChart>

#include "planner_gui/models/run_summary_model.h"

namespace moeplan::gui {

// Seconds per step by breakdown term (report["breakdown"]), one bar per run.
QChart* build_breakdown_chart(const std::vector<SimulationRun>& runs);
// GiB per pipeline rank: weights, gradients, optimizer, activations; the title names the HBM.
QChart* build_memory_chart(const SimulationRun& run);

// The breakdown terms in stacking order, with their report keys.
const std::vector<std::pair<const char*, const char*>>& breakdown_terms();

}  // namespace moeplan::gui
