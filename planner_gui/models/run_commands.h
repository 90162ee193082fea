// The commands that run an exported program on GPUs with `moeplan-run`
// (docs/runtime.md): its own launcher on one node, `mpirun`, and `srun`.
// Text for a person to copy; no planning in it: the rank and node counts
// come from the core's plan of the scenario.
#pragma once

#include <QString>

namespace moeplan::gui {

struct RunCommandsInput {
  QString program_path;   // program.json
  QString scenario_path;  // the scenario it was planned from
  long long ranks = 0;    // pp x dp x tp
  int nodes = 1;          // of the topology
  int gpus_per_node = 0;
};

// A shell script: plan (how the program was made), then the launch lines.
QString run_commands(const RunCommandsInput& in);

}  // namespace moeplan::gui
