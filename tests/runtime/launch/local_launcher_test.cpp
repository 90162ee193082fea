#include "runtime/launch/local_launcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "runtime/launch/shared_file.h"

namespace moeplan::runtime {
namespace {

TEST(LocalLauncher, RunsEveryRankInItsOwnProcess) {
  const auto dir = std::filesystem::temp_directory_path() / ("moeplan-launch-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto result = launch_local(3, [&](int rank) {
    write_file_atomically((dir / std::to_string(rank)).string(), std::to_string(getpid()));
    return 0;
  }, 30);
  EXPECT_TRUE(result.ok()) << result.summary();
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(std::filesystem::exists(dir / std::to_string(r)));
  std::filesystem::remove_all(dir);
}

TEST(LocalLauncher, AFailingRankEndsTheHungOnesAndIsReported) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = launch_local(3, [](int rank) {
    if (rank == 1) return 7;
    std::this_thread::sleep_for(std::chrono::seconds(60));  // a peer waiting forever
    return 0;
  }, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.ranks[1].exit_code, 7);
  EXPECT_TRUE(result.ranks[0].terminated);
  EXPECT_NE(result.summary().find("rank 1: exit code 7"), std::string::npos) << result.summary();
}

TEST(LocalLauncher, ADeadlineEndsAJobThatNeverFinishes) {
  const auto result = launch_local(2, [](int) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return 0;
  }, 0.5);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.ok());
}

TEST(RunInChild, ReturnsWhatTheChildWrote) { EXPECT_EQ(run_in_child([] { return std::string("GPU\t80\n"); }), "GPU\t80\n"); }

TEST(SharedFile, WaitingForAFileThatNeverComesTimesOutWithItsPath) {
  try {
    (void)wait_for_file("/nonexistent/moeplan-id", 0.1);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/moeplan-id"), std::string::npos);
  }
}

}  // namespace
}  // namespace moeplan::runtime
