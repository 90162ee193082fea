// The CLI end to end on bad input and failed writes: a user error (exit 1 or
// 2) with a message, never success, a signal or "this is a bug" (exit 70).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/sim/test_paths.h"

namespace moeplan::test {
namespace {

namespace fs = std::filesystem;

struct Run {
  int exit_code = -1;  // -1: ended by a signal
  std::string err;
};

Run moeplan(const std::string& args) {
  static int counter = 0;
  const auto err_path = (fs::temp_directory_path() / ("moeplan-cli-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter++) + ".err")).string();
  const auto cmd = binary_path("moeplan") + " " + args + " > /dev/null 2> " + err_path;
  const int status = std::system(cmd.c_str());
  Run r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  std::ifstream in(err_path);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  fs::remove(err_path);
  return r;
}

::testing::AssertionResult user_error(const Run& r, const std::string& text) {
  if ((r.exit_code == 1 || r.exit_code == 2) && r.err.find(text) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "exit " << r.exit_code << ", expected 1 or 2 with \"" << text
                                       << "\" in:\n" << r.err;
}

class CliExitCodes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("moeplan-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string scenario() const { return source_path("scenarios/h200x2-pp2-1f1b.yaml"); }

  // The scenario's program, planned into the test folder, as JSON.
  nlohmann::json planned() {
    EXPECT_EQ(moeplan("plan " + scenario() + " -o " + path("p.json")).exit_code, 0);
    std::ifstream in(path("p.json"));
    return nlohmann::json::parse(in);
  }
  // The program is checked before the trace is read: any file stands for the trace.
  void save(const nlohmann::json& j, const std::string& name) const { std::ofstream(path(name)) << j.dump(); }

  fs::path dir_;
};

TEST_F(CliExitCodes, SimulateWithTheReportOnAFullDiskFails) {
  EXPECT_TRUE(user_error(moeplan("simulate -q " + scenario() + " --report /dev/full"), "/dev/full"));
}

TEST_F(CliExitCodes, PlanOntoAFullDiskFails) {
  EXPECT_TRUE(user_error(moeplan("plan " + scenario() + " -o /dev/full"), "/dev/full"));
}

TEST_F(CliExitCodes, CompareRefusesAProgramWithADependencyOnAMissingOp) {
  auto j = planned();
  j["ops"][5]["deps"] = {999999};
  save(j, "bad.json");
  EXPECT_TRUE(user_error(moeplan("compare " + path("bad.json") + " " + path("p.json")), "op 999999"));
}

TEST_F(CliExitCodes, CompareRefusesACycleNamingItsOps) {
  auto j = planned();
  j["ops"][3]["deps"] = {static_cast<int>(j["ops"].size()) - 1};
  save(j, "cycle.json");
  EXPECT_TRUE(user_error(moeplan("compare " + path("cycle.json") + " " + path("p.json")), "deadlocks"));
}

TEST_F(CliExitCodes, ABadFlagValueIsAUsageErrorNamingIt) {
  EXPECT_EQ(moeplan("schedule 1f1b --pp 2 --microbatches 4 --format trace --times F=abc").exit_code, 2);
  EXPECT_TRUE(user_error(moeplan("schedule 1f1b --pp 2 --microbatches 4 --format trace --times F=abc"), "F=abc"));
  EXPECT_EQ(moeplan("simulate --no-such-flag").exit_code, 2);
}

TEST_F(CliExitCodes, ADirectoryGivenAsTheProgramIsNamed) {
  EXPECT_TRUE(user_error(moeplan("compare " + path("") + " " + scenario()), "directory"));
}

}  // namespace
}  // namespace moeplan::test
