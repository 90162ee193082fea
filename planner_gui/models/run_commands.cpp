#include "planner_gui/models/run_commands.h"

#include <QFileInfo>

namespace moeplan::gui {

QString run_commands(const RunCommandsInput& in) {
  const auto program = QFileInfo(in.program_path).fileName();
  const auto scenario = QFileInfo(in.scenario_path).fileName();
  QString s;
  s += QStringLiteral("#!/bin/sh\n# Made by moeplan-gui: run the planned program on GPUs (docs/runtime.md).\n");
  s += QStringLiteral("# %1 ranks on %2 node(s) of %3 GPUs.\nset -e\ncd \"$(dirname \"$0\")\"\n\n")
           .arg(in.ranks)
           .arg(in.nodes)
           .arg(in.gpus_per_node);
  s += QStringLiteral("# The program is what `moeplan plan` writes for the scenario:\n");
  s += QStringLiteral("#   moeplan plan %1 -o %2\n\n").arg(scenario, program);
  s += QStringLiteral("# 1. One node, moeplan-run's own launcher (one process per GPU):\n");
  s += QStringLiteral("moeplan-run %1 --trace measured.json --chrome measured-chrome.json\n\n").arg(program);
  s += QStringLiteral("# 2. Open MPI (ranks from OMPI_COMM_WORLD_*; --work-dir on a file system every node sees):\n");
  s += QStringLiteral("# mpirun -n %1 --npernode %2 moeplan-run %3 --work-dir \"$PWD/run\" --trace measured.json\n\n")
           .arg(in.ranks)
           .arg(in.gpus_per_node)
           .arg(program);
  s += QStringLiteral("# 3. Slurm (ranks from PMI_*, so srun with PMI-2):\n");
  s += QStringLiteral("# srun --mpi=pmi2 -N %1 --ntasks-per-node=%2 --gpus-per-node=%2 moeplan-run %3 --work-dir \"$PWD/run\" "
                      "--trace measured.json\n\n")
           .arg(in.nodes)
           .arg(in.gpus_per_node)
           .arg(program);
  s += QStringLiteral("# Then: simulated against measured, per op kind:\n#   moeplan compare %1 measured.json\n").arg(program);
  return s;
}

}  // namespace moeplan::gui
