// Many simulations one after another through the child-process API, as a GUI
// or a sweep runs them: normal runs, a cancel midway, a kill from outside, a
// broken scenario. Every outcome is reported and nothing leaks or hangs.
#include "sim/runner/simulation_job.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/sim/test_paths.h"

namespace moeplan::runner {
namespace {

namespace fs = std::filesystem;

RunnerOptions options() { return {.moeplan_path = test::binary_path("moeplan"), .timeout_s = 120}; }

std::string small_scenario() { return test::source_path("scenarios/h100x1-small-moe.yaml"); }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count_matching(const fs::path& folder, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(folder))
    if (e.path().filename().string().rfind(prefix, 0) == 0) ++n;
  return n;
}

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

nlohmann::json without_wall_times(nlohmann::json report) {
  for (const char* k : {"sim_wall_s", "peak_rss_bytes"}) report.erase(k);
  for (const char* k : {"measurement_wall_s", "step_wall_s"}) report["engine"].erase(k);
  return report;
}

TEST(SimulationJob, FiftyRunsWithACancelAKillAndABrokenScenarioEachReportTheirOutcome) {
  // A private temporary folder: other tests run simulations beside this one.
  const auto tmp = fs::temp_directory_path() / ("moeplan-job-test-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  ::setenv("TMPDIR", tmp.c_str(), 1);
  const auto temp_before = count_matching(tmp, "moeplan-sim-");
  const auto fds_before = open_descriptors();
  const auto text = read_text(small_scenario());
  nlohmann::json first_report;
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    auto request = SimulationRequest::file(small_scenario());
    std::stop_source stop;
    std::function<void(const SimulationProgress&)> on_progress;
    std::vector<std::string> phases;
    if (i == 10) {  // cancelled once the simulation phase has started
      on_progress = [&](const SimulationProgress& p) {
        if (p.phase == "simulate") stop.request_stop();
      };
    } else if (i == 20) {  // killed from outside, as the OOM killer would; a scenario that runs
                           // long enough (~2 s) that the kill lands before it ends, even on a loaded machine
      request = SimulationRequest::file(test::source_path("scenarios/small-moe-64xH800.yaml"));
      on_progress = [&](const SimulationProgress& p) {
        if (p.pid > 0) ::kill(p.pid, SIGKILL);
      };
    } else if (i == 30) {  // broken: the same text with pp set to a value no GPU count allows
      request = SimulationRequest::text(
          text.substr(0, text.find("  pp: 1")) + "  pp: 3" + text.substr(text.find("  pp: 1") + 7), small_scenario());
    } else if (i % 2 == 1) {  // from text, as an editor would send it
      request = SimulationRequest::text(text, small_scenario());
    }
    if (!on_progress) on_progress = [&](const SimulationProgress& p) { phases.push_back(p.phase); };
    const auto o = run_simulation(request, options(), on_progress, stop.get_token());
    SCOPED_TRACE(testing::Message() << "run " << i << ": " << o.message);
    if (i == 10) {
      EXPECT_EQ(o.status, SimulationStatus::Cancelled);
    } else if (i == 20) {
      EXPECT_EQ(o.status, SimulationStatus::Crashed);
      EXPECT_EQ(o.exit.signal, SIGKILL);
      EXPECT_NE(o.message.find("signal 9"), std::string::npos);
    } else if (i == 30) {
      EXPECT_EQ(o.status, SimulationStatus::InvalidScenario);
      EXPECT_NE(o.message.find("h100x1-small-moe.yaml"), std::string::npos);
      EXPECT_NE(o.message.find("plan.pp"), std::string::npos);
    } else {
      ASSERT_EQ(o.status, SimulationStatus::Ok);
      EXPECT_EQ(phases.front(), "load");
      EXPECT_EQ(phases.back(), "report");
      // Text and file give the same report, and every run the same one.
      if (first_report.is_null()) first_report = without_wall_times(o.report);
      EXPECT_EQ(without_wall_times(o.report), first_report);
      ++ok;
    }
  }
  EXPECT_EQ(ok, 47);
  EXPECT_GT(first_report.value("step_time_s", 0.0), 0.0);
  EXPECT_EQ(count_matching(tmp, "moeplan-sim-"), temp_before);
  EXPECT_EQ(open_descriptors(), fds_before);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  ::unsetenv("TMPDIR");
  fs::remove_all(tmp);
}

TEST(SimulationJob, ReturnsTheTraceWhenAsked) {
  auto request = SimulationRequest::file(small_scenario());
  request.with_trace = true;
  const auto o = run_simulation(request, options());
  ASSERT_TRUE(o.ok()) << o.message;
  ASSERT_TRUE(o.trace.contains("traceEvents"));
  EXPECT_FALSE(o.trace["traceEvents"].empty());
}

TEST(SimulationJob, AMissingSimulatorIsAnOutcomeThatSaysWhatToSet) {
  const auto o = run_simulation(SimulationRequest::file(small_scenario()), {.moeplan_path = "/nonexistent/moeplan"});
  EXPECT_EQ(o.status, SimulationStatus::Crashed);
  EXPECT_NE(o.message.find("MOEPLAN_EXECUTABLE"), std::string::npos);
}

}  // namespace
}  // namespace moeplan::runner
