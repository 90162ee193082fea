#include "sim/runner/simulation_job.h"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <system_error>

#include "sim/util/data_dirs.h"

namespace moeplan::runner {

namespace fs = std::filesystem;

namespace {

// A private temporary folder for the child's output files, removed on scope exit.
class TempFolder {
 public:
  TempFolder() {
    auto pattern = (fs::temp_directory_path() / "moeplan-sim-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::string> child_arguments(const SimulationRequest& r, const std::string& moeplan,
                                         const fs::path& folder) {
  std::vector<std::string> argv{moeplan, "simulate"};
  if (!r.scenario_text.empty()) {
    argv.push_back("-");
    argv.push_back("--stdin-path");
    argv.push_back(r.text_path.empty() ? (fs::current_path() / "unsaved.yaml").string() : r.text_path);
  } else {
    argv.push_back(r.scenario_path);
  }
  for (const char* a : {"--progress", "jsonl", "--report"}) argv.emplace_back(a);
  argv.push_back((folder / "report.json").string());
  if (r.with_trace) {
    argv.emplace_back("--trace");
    argv.push_back((folder / "trace.json").string());
  }
  if (!r.calibration_path.empty()) {
    argv.emplace_back("--calibration");
    argv.push_back(r.calibration_path);
  }
  return argv;
}

// Reads a JSON file the child wrote; empty on any problem, with `why` set.
nlohmann::json read_json(const fs::path& path, std::string& why) {
  std::ifstream in(path);
  if (!in) {
    why = fmt::format("it wrote no {}", path.filename().string());
    return {};
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    why = fmt::format("its {} is not valid JSON: {}", path.filename().string(), e.what());
    return {};
  }
}

void judge(SimulationOutcome& o, const SimulationRequest& r) {
  const auto& e = o.exit;
  const std::string what = r.scenario_text.empty() ? r.scenario_path : (r.text_path.empty() ? "the scenario text" : r.text_path);
  switch (e.how) {
    case ChildExit::How::Cancelled:
      o.status = SimulationStatus::Cancelled;
      o.message = fmt::format("the simulation of {} was cancelled", what);
      return;
    case ChildExit::How::TimedOut:
      o.status = SimulationStatus::TimedOut;
      o.message = fmt::format("the simulation of {} did not finish within its time limit and was stopped", what);
      return;
    case ChildExit::How::FailedToStart:
      o.status = SimulationStatus::Crashed;
      o.message = fmt::format("the simulator {}; set MOEPLAN_EXECUTABLE to the moeplan program", describe(e));
      return;
    case ChildExit::How::Signalled:
      o.status = SimulationStatus::Crashed;
      o.message = fmt::format("the simulator process for {} was {}{}", what, describe(e),
                              e.stderr_tail.empty() ? "" : "; its last messages:\n" + e.stderr_tail);
      return;
    case ChildExit::How::Exited: break;
  }
  if (e.code == 2) {
    o.status = SimulationStatus::InvalidScenario;
    o.message = e.stderr_tail.empty() ? fmt::format("{} is not a valid scenario", what) : e.stderr_tail;
  } else if (e.code != 0) {
    o.status = SimulationStatus::Failed;
    o.message = fmt::format("the simulation of {} failed ({}){}", what, describe(e),
                            e.stderr_tail.empty() ? "" : ":\n" + e.stderr_tail);
  }
}

}  // namespace

std::string_view to_string(SimulationStatus s) {
  switch (s) {
    case SimulationStatus::Ok: return "ok";
    case SimulationStatus::InvalidScenario: return "invalid";
    case SimulationStatus::Failed: return "failed";
    case SimulationStatus::Crashed: return "crashed";
    case SimulationStatus::Cancelled: return "cancelled";
    case SimulationStatus::TimedOut: return "timed-out";
  }
  return "?";
}

std::string default_moeplan_executable() {
  if (const char* env = std::getenv("MOEPLAN_EXECUTABLE"); env && *env) return env;
  if (const auto folder = executable_folder(); !folder.empty()) {
    std::error_code ec;
    for (const auto& candidate : {folder / "moeplan", folder.parent_path() / "moeplan", folder.parent_path() / "bin" / "moeplan"})
      if (fs::is_regular_file(candidate, ec)) return candidate.string();  // moeplan itself too (a sweep's DES runs)
  }
  return "moeplan";
}

SimulationOutcome run_simulation(const SimulationRequest& request, const RunnerOptions& options,
                                 const std::function<void(const SimulationProgress&)>& on_progress,
                                 std::stop_token stop) {
  SimulationOutcome o;
  TempFolder folder;
  if (folder.path().empty()) {
    o.exit.error = "cannot create a temporary folder for its results";
    o.message = fmt::format("the simulation did not start: {} (check {} is writable)", o.exit.error,
                            fs::temp_directory_path().string());
    return o;
  }
  ChildSpec spec;
  spec.argv = child_arguments(request, options.moeplan_path.empty() ? default_moeplan_executable() : options.moeplan_path,
                              folder.path());
  spec.stdin_text = request.scenario_text;
  spec.timeout_s = options.timeout_s;
  auto on_line = [&](std::string_view line) {
    if (!on_progress) return;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("event")) return;  // not a progress line: ignore
    const auto event = j.value("event", std::string{});
    if (event == "phase" || event == "progress")
      on_progress({j.value("phase", std::string{}), j.value("fraction", 0.0), j.value("pid", 0)});
  };
  o.exit = run_child(spec, on_line, stop);
  o.status = SimulationStatus::Ok;
  judge(o, request);
  if (o.status != SimulationStatus::Ok) return o;
  std::string why;
  o.report = read_json(folder.path() / "report.json", why);
  if (why.empty() && request.with_trace) o.trace = read_json(folder.path() / "trace.json", why);
  if (!why.empty()) {
    o.status = SimulationStatus::Failed;
    o.message = fmt::format("the simulator exited normally but {}", why);
  }
  return o;
}

}  // namespace moeplan::runner
