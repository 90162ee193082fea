// Whether "Run here" can run an exported program on this machine: a
// `moeplan-run` (beside moeplan-gui, else in PATH) and at least one GPU
// (`nvidia-smi -L`: moeplan-run has no probe of its own on its command
// line; its CUDA probe runs inside a run). The reason when it cannot.
#pragma once

#include <QString>

namespace moeplan::gui {

struct RunHereSupport {
  QString moeplan_run;  // the executable, empty when none was found
  int gpus = 0;         // GPUs nvidia-smi listed
  QString reason;       // why it cannot run here; empty when it can
  bool available() const { return reason.isEmpty(); }
};

// moeplan-run in `app_dir` (where moeplan-gui lives), else in PATH; empty when neither has one.
QString find_moeplan_run(const QString& app_dir);

// The GPUs in `nvidia-smi -L` output (one "GPU <n>: <name> (UUID: ...)" line each).
int count_listed_gpus(const QString& nvidia_smi_list);

// The verdict from what was found; `probe_note` says how the GPUs were looked for
// (e.g. "nvidia-smi was not found"), and is used when `gpus` is 0.
RunHereSupport run_here_support(const QString& moeplan_run, int gpus, const QString& probe_note);

// The real probe: find_moeplan_run, then `nvidia-smi -L` in a child process (a few seconds at most).
RunHereSupport probe_run_here(const QString& app_dir);

}  // namespace moeplan::gui
