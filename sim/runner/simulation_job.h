// A simulation in a child `moeplan` process: SimGrid's engine lives once per
// process, so the GUI, sweeps and the auto-planner run every simulation this
// way. The child is `moeplan simulate --progress jsonl`; its progress lines
// reach `on_progress` as they arrive, a std::stop_token cancels it, and its
// report (and trace) come back parsed. Whatever happens to the child (a bad
// scenario, a crash, a kill, a timeout) is an outcome with its exit status
// and last stderr lines, never an exception or a crash of the caller.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>

#include "sim/runner/child_process.h"

namespace moeplan::runner {

struct SimulationRequest {
  std::string scenario_path;  // a scenario file, or
  std::string scenario_text;  // YAML text (used when not empty), e.g. an editor's buffer;
  std::string text_path;      // the path the text stands for: named in messages, and its folder
                              // resolves the text's relative references (default: ./unsaved.yaml)
  std::string calibration_path;  // optional
  bool with_trace = false;       // also return the Chrome trace

  static SimulationRequest file(std::string path) {
    SimulationRequest r;
    r.scenario_path = std::move(path);
    return r;
  }
  static SimulationRequest text(std::string yaml, std::string stands_for) {
    SimulationRequest r;
    r.scenario_text = std::move(yaml);
    r.text_path = std::move(stands_for);
    return r;
  }
};

struct SimulationProgress {
  std::string phase;    // load, simulate, report
  double fraction = 0;  // of the simulate phase, in [0, 1]
  int pid = 0;          // the child's process id (phase events)
};

enum class SimulationStatus {
  Ok,               // report (and trace) returned
  InvalidScenario,  // the scenario did not validate (exit 2); `message` has the diagnostics
  Failed,           // the child reported an error (exit 1) or a bug (exit 70)
  Crashed,          // the child died by a signal, or could not start
  Cancelled,        // stopped through the stop token
  TimedOut,         // stopped at RunnerOptions::timeout_s
};
std::string_view to_string(SimulationStatus s);

struct SimulationOutcome {
  SimulationStatus status = SimulationStatus::Crashed;
  ChildExit exit;            // how the child ended, with its stderr tail
  std::string message;       // one paragraph for a person: what happened and what to do
  nlohmann::json report;     // Ok: the report (moeplan simulate --report)
  nlohmann::json trace;      // Ok and with_trace: the Chrome trace
  bool ok() const { return status == SimulationStatus::Ok; }
};

struct RunnerOptions {
  std::string moeplan_path = {};  // default: default_moeplan_executable()
  double timeout_s = 0;           // 0: none
};

// The `moeplan` to start: $MOEPLAN_EXECUTABLE, else a `moeplan` beside the
// running executable or one folder up (build/tests/x -> build/moeplan) or in
// ../bin, else `moeplan` from PATH.
std::string default_moeplan_executable();

SimulationOutcome run_simulation(const SimulationRequest& request, const RunnerOptions& options,
                                 const std::function<void(const SimulationProgress&)>& on_progress = {},
                                 std::stop_token stop = {});

}  // namespace moeplan::runner
