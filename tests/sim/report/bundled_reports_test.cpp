// Every bundled scenario's report against the one recorded in
// tests/data/reports/ (wall-time fields aside): a change that is meant to keep
// behaviour keeps these identical; a change that means to move them
// re-records them (MOEPLAN_UPDATE_REPORTS=1) and says why in its commit.
// Simulations run through the child-process API, as the GUI and sweeps do.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "sim/runner/simulation_job.h"
#include "tests/sim/test_paths.h"

namespace moeplan::runner {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> bundled_scenarios() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(test::source_path("scenarios")))
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json without_wall_times(nlohmann::json report) {
  for (const char* k : {"sim_wall_s", "peak_rss_bytes"}) report.erase(k);
  for (const char* k : {"measurement_wall_s", "step_wall_s"}) report["engine"].erase(k);
  return report;
}

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

class BundledReports : public testing::TestWithParam<std::string> {};

TEST_P(BundledReports, MatchTheRecordedReport) {
  const auto scenario = test::source_path("scenarios/" + GetParam() + ".yaml");
  const fs::path recorded = test::source_path("tests/data/reports/" + GetParam() + ".json");
  const fs::path invalid = test::source_path("tests/data/reports/" + GetParam() + ".invalid.txt");
  const auto o = run_simulation(SimulationRequest::file(scenario), {.moeplan_path = test::binary_path("moeplan")});
  if (fs::exists(invalid)) {  // a scenario that is meant to be refused, with this diagnostic
    EXPECT_EQ(o.status, SimulationStatus::InvalidScenario) << o.message;
    EXPECT_NE(o.message.find(first_line(invalid)), std::string::npos) << o.message;
    return;
  }
  ASSERT_TRUE(o.ok()) << o.message;
  if (std::getenv("MOEPLAN_UPDATE_REPORTS")) {
    std::ofstream(recorded) << o.report.dump() << "\n";
    GTEST_SKIP() << "recorded " << recorded;
  }
  ASSERT_TRUE(fs::exists(recorded)) << "no recorded report; run with MOEPLAN_UPDATE_REPORTS=1 to record " << recorded;
  std::ifstream in(recorded);
  const auto expected = without_wall_times(nlohmann::json::parse(in));
  const auto actual = without_wall_times(o.report);
  EXPECT_EQ(actual, expected) << "diff (expected -> actual): " << nlohmann::json::diff(expected, actual).dump(1);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, BundledReports, testing::ValuesIn(bundled_scenarios()),
                         [](const auto& param_info) {
                           auto name = param_info.param;
                           std::erase_if(name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
                           return name;
                         });

}  // namespace
}  // namespace moeplan::runner
